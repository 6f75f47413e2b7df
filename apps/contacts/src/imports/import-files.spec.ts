import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { configWith } from '@missive/config';
import { DomainError } from '@missive/http';
import { ImportFiles } from './import-files';

const QUOTA = 1_000_000;
const TENANT = '7d1f9c2e-0000-4000-8000-000000000001';

const dataDirs: string[] = [];

function filesWithQuota(): { files: ImportFiles; folder: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'missive-import-files-'));
  dataDirs.push(dataDir);
  const files = new ImportFiles(configWith({ DATA_DIR: dataDir, TENANT_IMPORT_QUOTA_BYTES: String(QUOTA) }));
  return { files, folder: files.tenantFolder('NA', TENANT) };
}

/** `bytes` bytes in chunks of 64 KB, as a request body arrives. */
function body(bytes: number): Readable {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  return Readable.from(
    (function* () {
      for (let left = bytes; left > 0; left -= chunk.length) yield chunk.subarray(0, Math.min(left, chunk.length));
    })(),
  );
}

describe(ImportFiles.name, () => {
  afterAll(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('R-X6: a tenant whose import files would pass the quota gets a 413 naming it; the partial file is gone', async () => {
    const { files, folder } = filesWithQuota();
    expect(await files.save(body(600_000), files.pathOf('NA', TENANT, 'waiting'))).toBe(600_000);

    const refused = files.save(body(500_000), files.pathOf('NA', TENANT, 'second'));
    await expect(refused).rejects.toThrow(DomainError);
    await expect(refused).rejects.toMatchObject({
      status: 413,
      message: expect.stringContaining(`${QUOTA} bytes`),
      details: [{ field: 'body', reason: `over the import quota of ${QUOTA} bytes` }],
    });
    expect(readdirSync(folder)).toEqual(['waiting']);
    expect(await files.save(body(300_000), files.pathOf('NA', TENANT, 'third'))).toBe(300_000);
  });

  it('R-X6: a declared length that cannot fit is refused before anything is written', async () => {
    const { files, folder } = filesWithQuota();
    await expect(
      files.save(body(10), files.pathOf('NA', TENANT, 'announced'), { declaredBytes: QUOTA + 1 }),
    ).rejects.toMatchObject({ status: 413 });
    expect(existsSync(folder)).toBe(false);
  });

  it('R-X6: the quota is per tenant', async () => {
    const { files } = filesWithQuota();
    await files.save(body(900_000), files.pathOf('NA', TENANT, 'big'));
    const other = '7d1f9c2e-0000-4000-8000-000000000002';
    expect(await files.save(body(900_000), files.pathOf('NA', other, 'big'))).toBe(900_000);
  });
});
