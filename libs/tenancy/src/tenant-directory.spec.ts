import type { Databases } from '@missive/database';
import { Metrics } from '@missive/observability';
import { generateApiKey, hashSecret } from './api-key.rules';
import { TenantDirectory } from './tenant-directory';

const REAL_KEY_HASH = hashSecret(generateApiKey());

/** A global directory holding one key, counting the lookups it answers. */
function fakeDatabases() {
  const lookups: string[] = [];
  const databases = {
    global: {
      query: async (_sql: string, [keyHash]: [string]) => {
        lookups.push(keyHash);
        if (keyHash !== REAL_KEY_HASH) return [];
        return [
          {
            api_key_id: 'k1',
            key_hash: REAL_KEY_HASH,
            tenant_id: 't1',
            region: 'NA',
            status: 'active',
            transfer_safeguard: null,
            terminated_at: null,
            purge_due_at: null,
          },
        ];
      },
    },
  } as unknown as Databases;
  return { databases, lookups };
}

describe(TenantDirectory.name, () => {
  it('R-X6: an unknown key costs one lookup; 30,000 of them neither cost more nor evict a real key', async () => {
    const { databases, lookups } = fakeDatabases();
    const metrics = new Metrics();
    const directory = new TenantDirectory(databases, metrics);
    expect((await directory.resolve(REAL_KEY_HASH))?.id).toBe('t1');

    const unknown = Array.from({ length: 30000 }, () => hashSecret(generateApiKey()));
    for (const keyHash of unknown) expect(await directory.resolve(keyHash)).toBeNull();
    expect(lookups).toHaveLength(1 + unknown.length);
    // Asked again, every one is answered from memory, synchronously.
    for (const keyHash of unknown) expect(directory.cached(keyHash)).toBeNull();
    await Promise.all(unknown.map((keyHash) => directory.resolve(keyHash)));
    expect(lookups).toHaveLength(1 + unknown.length);

    expect(directory.cached(REAL_KEY_HASH)?.id).toBe('t1');
    expect(lookups.filter((h) => h === REAL_KEY_HASH)).toHaveLength(1);
    const counted = await metrics.apiKeyLookups.get();
    expect(Object.fromEntries(counted.values.map((v) => [v.labels.result, v.value]))).toEqual({
      known: 1,
      unknown: unknown.length,
    });
  });

  it('R-X6: the same unknown key asked many times at once is looked up once', async () => {
    const { databases, lookups } = fakeDatabases();
    const directory = new TenantDirectory(databases, new Metrics());
    const keyHash = hashSecret(generateApiKey());
    const answers = await Promise.all(Array.from({ length: 100 }, () => directory.resolve(keyHash)));
    expect(answers.every((a) => a === null)).toBe(true);
    expect(lookups).toEqual([keyHash]);
  });

  it('R-X6: an unknown key stays remembered when a tenant is evicted while it is looked up', async () => {
    const { databases, lookups } = fakeDatabases();
    const directory = new TenantDirectory(databases, new Metrics());
    const keyHash = hashSecret(generateApiKey());
    const pending = directory.resolve(keyHash);
    directory.evictTenant('t1');
    expect(await pending).toBeNull();
    expect(directory.cached(keyHash)).toBeNull();
    expect(lookups).toEqual([keyHash]);
  });
});
