import { selectServices } from './select-services';

const ALL = [{ name: 'support' }, { name: 'contacts' }, { name: 'campaigns' }];

describe('SERVICES: the services a single-node host runs', () => {
  it('runs every service when unset or empty', () => {
    expect(selectServices(ALL, undefined)).toEqual(ALL);
    expect(selectServices(ALL, ' ')).toEqual(ALL);
  });

  it('runs the named ones, in the host’s order, ignoring spaces and repeats', () => {
    expect(selectServices(ALL, 'campaigns, contacts,campaigns')).toEqual([{ name: 'contacts' }, { name: 'campaigns' }]);
  });

  it('names an unknown service and lists the known ones', () => {
    expect(() => selectServices(ALL, 'contacts,tracker')).toThrow(
      'SERVICES names "tracker", not one of support, contacts, campaigns',
    );
  });
});
