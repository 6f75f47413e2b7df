import { randomUUID } from 'node:crypto';
import { loadConfig } from '@missive/config';
import { Databases } from '@missive/database';
import { CONTACT_KEY_TTL_MS, sealForContact, TenantKeys } from '@missive/tenant-keys';
import { adminQuery } from '@missive/testing';

describe('TenantKeys against the regional databases (R-P2 crypto-shredding)', () => {
  const config = loadConfig();
  const databases = new Databases(config, { global: [], regional: [] });
  const keys = new TenantKeys(config, databases);

  beforeAll(() => databases.connect());
  afterAll(() => databases.close());

  it('R-P2: a tenant key is created once, stored wrapped in its own region only', async () => {
    const tenantId = randomUUID();
    const box = await keys.seal('EEA', tenantId, { email: 'ada@example.com' });
    const rows = await adminQuery<{ wrapped_key: Buffer }>(
      'EEA',
      'SELECT wrapped_key FROM tenant_keys WHERE tenant_id = $1',
      [tenantId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].wrapped_key.length).toBe(1 + 12 + 16 + 32);
    expect(await adminQuery('NA', 'SELECT 1 FROM tenant_keys WHERE tenant_id = $1', [tenantId])).toEqual([]);
    expect(await new TenantKeys(config, databases).open('EEA', tenantId, box)).toEqual({ email: 'ada@example.com' });
  });

  it('R-P2: once the key is destroyed, sealed fields anywhere can no longer be opened', async () => {
    const tenantId = randomUUID();
    const box = await keys.seal('NA', tenantId, { firstName: 'Ada' });
    expect(await keys.destroy('NA', tenantId)).toBe(1);
    expect(await keys.open('NA', tenantId, box)).toBeNull();
    expect(await new TenantKeys(config, databases).open('NA', tenantId, box)).toBeNull();
  });
});

describe('contact keys (R-D1: erasure reaches Kafka at once)', () => {
  const config = loadConfig();
  const databases = new Databases(config, { global: [], regional: [] });
  const keys = new TenantKeys(config, databases);
  const keysFor = (store: TenantKeys, tenantId: string, contactIds: string[]) =>
    databases.withTenant('EEA', tenantId, (m) =>
      store.contactKeysForWrite(m, { id: tenantId, region: 'EEA' }, contactIds),
    );
  const erase = (store: TenantKeys, tenantId: string, contactId: string) =>
    databases.withTenant('EEA', tenantId, (m) => store.destroyContactKey(m, tenantId, contactId));

  beforeAll(() => databases.connect());
  afterAll(() => databases.close());

  it('R-D1: a contact key is made once, stored wrapped under the tenant key, under row-level security', async () => {
    const tenantId = randomUUID();
    const [ada, bob] = [randomUUID(), randomUUID()];
    const first = await keysFor(keys, tenantId, [ada, bob]);
    const again = await keysFor(new TenantKeys(config, databases), tenantId, [ada]);
    expect(again.get(ada)).toEqual(first.get(ada));
    expect(first.get(ada)).not.toEqual(first.get(bob));
    const rows = await adminQuery<{ wrapped_key: Buffer }>(
      'EEA',
      'SELECT wrapped_key FROM contact_keys WHERE tenant_id = $1',
      [tenantId],
    );
    expect(rows.map((r) => r.wrapped_key.length)).toEqual([61, 61]);
    expect(rows.some((r) => r.wrapped_key.includes(first.get(ada)!))).toBe(false);
    // The app role sees no contact key without its tenant set.
    expect(
      await databases.forRegion('EEA').query('SELECT 1 FROM contact_keys WHERE tenant_id = $1', [tenantId]),
    ).toEqual([]);
  });

  it('R-D1: once the contact key is destroyed its boxes open nowhere ("erased"); the tenant’s other contacts still open', async () => {
    const tenantId = randomUUID();
    const [ada, bob] = [randomUUID(), randomUUID()];
    const made = await keysFor(keys, tenantId, [ada, bob]);
    const adaBox = sealForContact(made.get(ada)!, tenantId, ada, { email: 'ada@example.com' });
    const bobBox = sealForContact(made.get(bob)!, tenantId, bob, { email: 'bob@example.com' });
    const elsewhere = new TenantKeys(config, databases);
    expect(await elsewhere.openAll('EEA', tenantId, [adaBox, [adaBox, bobBox]])).toEqual([
      { email: 'ada@example.com' },
      [{ email: 'ada@example.com' }, { email: 'bob@example.com' }],
    ]);
    expect(await keys.open('EEA', tenantId, adaBox)).toEqual({ email: 'ada@example.com' }); // now cached here

    expect(await erase(keys, tenantId, ada)).toBe(1);
    expect(await keys.unseal('EEA', tenantId, adaBox)).toEqual({ ok: false, reason: 'erased' });
    expect(await new TenantKeys(config, databases).open('EEA', tenantId, adaBox)).toBeNull();
    expect(await keys.open('EEA', tenantId, [adaBox, bobBox])).toEqual([null, { email: 'bob@example.com' }]);
    // A box altered is "invalid", not "erased".
    const altered = Buffer.from(bobBox, 'base64url');
    altered[altered.length - 1] ^= 1;
    expect(await keys.unseal('EEA', tenantId, altered.toString('base64url'))).toEqual({ ok: false, reason: 'invalid' });
    // Another process that had it cached keeps it no longer than CONTACT_KEY_TTL_MS, or until it reads contact.erased.
    elsewhere.forgetContact(tenantId, ada);
    expect(await elsewhere.open('EEA', tenantId, adaBox)).toBeNull();
    expect(CONTACT_KEY_TTL_MS).toBeLessThanOrEqual(60_000);
  });

  it('R-D1: a key read in flight while the contact is erased is not put back in the cache', async () => {
    const tenantId = randomUUID();
    const ada = randomUUID();
    await keysFor(keys, tenantId, [ada]);
    const reader = new TenantKeys(config, databases);
    const inFlight = reader.contactKeySoon('EEA', tenantId, ada);
    reader.forgetContact(tenantId, ada); // contact.erased read while the query runs
    await erase(keys, tenantId, ada);
    await inFlight;
    expect(reader.cachedContactKey(tenantId, ada)).toBeNull();
  });

  it('R-P2: the purge destroys the tenant key and every contact key with it', async () => {
    const tenantId = randomUUID();
    const made = await keysFor(keys, tenantId, [randomUUID(), randomUUID()]);
    const [id, key] = [...made][0];
    const box = sealForContact(key, tenantId, id, 'x');
    expect(await keys.destroy('EEA', tenantId)).toBe(3);
    expect(await keys.open('EEA', tenantId, box)).toBeNull();
    expect(await adminQuery('EEA', 'SELECT 1 FROM contact_keys WHERE tenant_id = $1', [tenantId])).toEqual([]);
  });
});
