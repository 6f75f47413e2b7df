import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventDataViolation } from '@missive/contracts';
import { contactChangedEvent, type ContactStateRow } from './contact-events';

const golden = JSON.parse(readFileSync(join(__dirname, '../../contracts/golden/contact.changed.v2.json'), 'utf8')) as {
  envelope: { data: Record<string, unknown> };
};

const row = (over: Partial<ContactStateRow> = {}): ContactStateRow => ({
  id: randomUUID(),
  email: 'ada@example.com',
  first_name: 'Ada',
  last_name: null,
  phone: null,
  locale: 'en-GB',
  region: 'EEA',
  lawful_basis: 'consent',
  tracking_consent: true,
  birth_date: '1990-04-01',
  status: 'active',
  attributes: { plan: 'pro' },
  lists: ['news'],
  tags: [],
  consent_withdrawn: false,
  ...over,
});

describe('contact.changed v2 as contactChangedEvent writes it, against its contract (R-X5)', () => {
  const tenant = { id: randomUUID(), region: 'EEA' as const };

  it.each([
    ['an active contact', row()],
    ['a pending one with no lists', row({ status: 'pending', lists: [], tags: ['vip'] })],
    ['a restricted NA contact who withdrew', row({ status: 'restricted', region: 'NA', consent_withdrawn: true })],
  ])('R-X5: %s passes the schema the consumers check', (_name, contact) => {
    const event = contactChangedEvent(randomBytes(32), tenant, contact);
    expect(eventDataViolation(event.type, event.version!, event.data)).toBeNull();
  });

  it('R-X5: the golden sample has exactly the fields the producer writes', () => {
    const { data } = contactChangedEvent(randomBytes(32), tenant, row());
    expect(Object.keys(golden.envelope.data).sort()).toEqual(Object.keys(data).sort());
  });
});
