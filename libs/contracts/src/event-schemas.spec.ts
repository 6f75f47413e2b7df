import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventEnvelope } from './event-envelope';
import { eventDataViolation, eventSchemaVersions, hasEventSchema } from './event-schemas';
import { TOPICS } from './topics';

const GOLDEN = join(__dirname, '..', 'golden');

interface Golden {
  file: string;
  producer: string;
  envelope: EventEnvelope<Record<string, unknown>>;
}

const goldens: Golden[] = readdirSync(GOLDEN)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({ file, ...(JSON.parse(readFileSync(join(GOLDEN, file), 'utf8')) as Omit<Golden, 'file'>) }));

/** Fields a producer may leave out, by sample file: every other field of a sample is required. */
const OPTIONAL: Record<string, string[]> = {
  'contact.changed.v1.json': ['importId'],
  'tracking.hit.v1.json': ['linkIndex'],
  'tracking.hit.v2.json': ['linkIndex'],
  'tenant.changed.v1.json': ['legalHold'],
  'tenant.notice-issued.v1.json': ['incidentId', 'campaignId'],
};

/** A value of another JSON type than the sample's: a number as text, a boolean as text, text as a number… */
const wrongType = (value: unknown): unknown =>
  typeof value === 'string' ? 7 : typeof value === 'number' || typeof value === 'boolean' ? String(value) : 7;

const golden = (file: string): Golden => goldens.find((g) => g.file === file)!;
const violation = (file: string, change: (data: Record<string, unknown>) => void): string | null => {
  const { envelope } = golden(file);
  const data = structuredClone(envelope.data);
  change(data);
  return eventDataViolation(envelope.type, envelope.version, data);
};

describe('event schemas and golden samples (R-X5)', () => {
  it('has one golden sample per schema, named <type>.v<version>.json, and no sample without a schema', () => {
    const expected = [...eventSchemaVersions()].flatMap(([type, versions]) =>
      versions.map((v) => `${type}.v${v}.json`),
    );
    expect(goldens.map((g) => g.file)).toEqual(expected.sort());
    for (const { file, envelope, producer } of goldens) {
      expect(`${envelope.type}.v${envelope.version}.json`).toBe(file);
      expect(hasEventSchema(envelope.type, envelope.version)).toBe(true);
      expect(producer.length).toBeGreaterThan(0);
    }
  });

  it('R-X5: every declared event type has a schema, but the probe and suppression.changed (no consumer)', () => {
    const unchecked = TOPICS.map((t) => t.event).filter((event) => !eventSchemaVersions().has(event));
    expect(unchecked).toEqual(['platform.probe', 'suppression.changed']);
  });

  it.each(goldens.map((g) => [g.file, g]))('R-X5: the golden %s passes its schema', (_file, { envelope }) => {
    expect(eventDataViolation(envelope.type, envelope.version, envelope.data)).toBeNull();
  });

  it.each(goldens.map((g) => [g.file]))('R-X5: %s with a field it does not know still passes', (file) => {
    expect(violation(file, (d) => (d.addedByANewerProducer = { any: ['thing'] }))).toBeNull();
  });

  it.each(goldens.map((g) => [g.file, g]))(
    'R-X6: %s without a required field fails naming that field',
    (file, { envelope }) => {
      const required = Object.keys(envelope.data).filter((k) => !(OPTIONAL[file] ?? []).includes(k));
      expect(required.length).toBeGreaterThan(0);
      for (const key of required) expect([key, violation(file, (d) => delete d[key])]).toEqual([key, `data.${key}`]);
      for (const key of OPTIONAL[file] ?? []) expect([key, violation(file, (d) => delete d[key])]).toEqual([key, null]);
    },
  );

  it.each(goldens.map((g) => [g.file, g]))(
    'R-X6: %s with any field of the wrong type fails naming that field',
    (file, { envelope }) => {
      for (const [key, value] of Object.entries(envelope.data)) {
        expect([key, violation(file, (d) => (d[key] = { nested: 1 }))]).toEqual([key, `data.${key}`]);
        expect([key, violation(file, (d) => (d[key] = wrongType(value)))]).toEqual([key, `data.${key}`]);
      }
    },
  );

  it('R-X6: a data that is not an object fails at its root', () => {
    expect(eventDataViolation('contact.erased', 1, [])).toBe('data');
    expect(eventDataViolation('contact.erased', 1, 'x')).toBe('data');
  });

  it.each([
    ['contact.erased.v1.json', 'contactId'],
    ['delivery.recorded.v1.json', 'campaignId'],
    ['tenant.api-key-revoked.v1.json', 'apiKeyId'],
    ['privacy.request-referred.v1.json', 'requestId'],
    ['tracking.hit.v2.json', 'contactId'],
  ])('R-X6: %s with a %s that is not a UUID fails naming it', (file, key) => {
    expect(violation(file, (d) => (d[key] = 'not-a-uuid'))).toBe(`data.${key}`);
    expect(violation(file, (d) => (d[key] = `${d[key] as string}'; DROP TABLE contacts; --`))).toBe(`data.${key}`);
  });

  it('R-X6: the path names the bad element of an array or a nested object, never its value', () => {
    const email = 'alice@example.com';
    expect(violation('contact.changed.v5.json', (d) => ((d.contactIds as string[])[2] = email))).toBe(
      'data.contactIds[2]',
    );
    expect(violation('contact.changed.v5.json', (d) => ((d.statuses as string[])[1] = 'deleted'))).toBe(
      'data.statuses[1]',
    );
    expect(violation('contact.changed.v5.json', (d) => ((d.lists as unknown[][])[0][1] = 7))).toBe('data.lists[0][1]');
    expect(
      violation('contact.changed.v3.json', (d) => delete (d.contacts as Record<string, unknown>[])[1].lawfulBasis),
    ).toBe('data.contacts[1].lawfulBasis');
    expect(violation('campaign.links-registered.v1.json', (d) => ((d.links as { url: unknown }[])[1].url = 7))).toBe(
      'data.links[1].url',
    );
  });

  it('R-X6: columns of one import batch must be as long as its contact ids', () => {
    expect(violation('contact.changed.v5.json', (d) => (d.personal as string[]).pop())).toBe('data.personal');
    expect(violation('contact.changed.v4.json', (d) => (d.regions as string[]).push('NA'))).toBe('data.regions');
  });

  it('R-X6: enums, instants and counts are checked, not only their types', () => {
    expect(violation('delivery.recorded.v1.json', (d) => (d.outcome = 'bounce'))).toBe('data.outcome');
    expect(violation('delivery.recorded.v1.json', (d) => (d.at = '2026-02-30T10:00:00Z'))).toBe('data.at');
    expect(violation('delivery.recorded.v1.json', (d) => (d.at = '2028-02-29T10:00:00Z'))).toBeNull();
    expect(violation('delivery.recorded.v1.json', (d) => (d.at = '2100-02-29T10:00:00Z'))).toBe('data.at');
    expect(violation('delivery.recorded.v1.json', (d) => (d.at = '2026-13-01T10:00:00Z'))).toBe('data.at');
    expect(violation('delivery.recorded.v1.json', (d) => (d.at = '2026-12-07'))).toBe('data.at');
    expect(violation('delivery.recorded.v1.json', (d) => (d.at = 'yesterday'))).toBe('data.at');
    expect(violation('delivery.recorded.v1.json', (d) => (d.at = '2026-12-07 21:14:05.318+00'))).toBe('data.at');
    expect(violation('delivery.recorded.v1.json', (d) => (d.at = '2026-12-07T21:14:05+01:00'))).toBeNull();
    expect(violation('campaign.engagement-counted.v1.json', (d) => (d.opens = -1))).toBe('data.opens');
    expect(violation('campaign.engagement-counted.v1.json', (d) => (d.clicks = 1.5))).toBe('data.clicks');
    expect(violation('campaign.engagement-counted.v1.json', (d) => (d.revision = 0))).toBe('data.revision');
    expect(violation('tracking.hit.v1.json', (d) => (d.linkIndex = -1))).toBe('data.linkIndex');
  });

  it('R-K3: a link the link host will not redirect to is its rule, link by link: the event still passes', () => {
    expect(
      violation('campaign.links-registered.v1.json', (d) => ((d.links as { url: string }[])[0].url = 'javascript:1')),
    ).toBeNull();
  });

  it('R-X6: null is refused where the contract does not allow it, accepted where it does', () => {
    expect(violation('unsubscribe.recorded.v1.json', (d) => (d.contactId = null))).toBe('data.contactId');
    expect(violation('unsubscribe.recorded.v1.json', (d) => (d.campaignId = null))).toBeNull();
    expect(violation('unsubscribe.recorded.v1.json', (d) => (d.lists = ['news']))).toBeNull();
    expect(violation('tracking.hit.v2.json', (d) => (d.personal = null))).toBeNull();
  });

  it('lets a type or a version without a schema through unchecked', () => {
    expect(hasEventSchema('platform.probe', 1)).toBe(false);
    expect(eventDataViolation('platform.probe', 1, { anything: true })).toBeNull();
    expect(eventDataViolation('contact.changed', 99, { contactIds: 'not an array' })).toBeNull();
    expect(eventDataViolation('__proto__', 1, {})).toBeNull();
    expect(eventDataViolation('constructor', 1, {})).toBeNull();
  });
});
