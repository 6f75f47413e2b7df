import { toleratedDependencies, type Dependency } from './readiness.rules';

const service = (...tolerates: Dependency[]) => ({ readinessTolerates: tolerates });

describe('R-X3: which dependencies a process may be ready without', () => {
  it('tolerates what every hosted service tolerates, and nothing for a service that needs everything', () => {
    expect(toleratedDependencies([service('kafka', 'postgres')])).toEqual(['postgres', 'kafka']);
    expect(toleratedDependencies([service('kafka', 'postgres'), service('kafka')])).toEqual(['kafka']);
    expect(toleratedDependencies([service('kafka', 'postgres'), {}])).toEqual([]);
    expect(toleratedDependencies([])).toEqual([]);
  });
});
