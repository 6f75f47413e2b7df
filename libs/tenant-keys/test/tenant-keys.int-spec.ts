import { randomUUID } from 'node:crypto';
import { loadConfig } from '@missive/config';
import { Databases } from '@missive/database';
import { TenantKeys } from '@missive/tenant-keys';
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
