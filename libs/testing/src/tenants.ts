import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Region } from '@missive/contracts';
import { adminQuery } from './admin-db';
import { http } from './http-client';

/** Pass as `SUPPORT_BOOTSTRAP_TOKEN` to `startTestServices` (it is an EEA admin, API.md). */
export const TEST_BOOTSTRAP_TOKEN = 'test-bootstrap-staff-token-0123456789abcdef';
/** The bootstrap admin's home region: acting on a tenant of another region needs a justification (R-A1, R-T4). */
export const TEST_BOOTSTRAP_REGION: Region = 'EEA';
export const TEST_JUSTIFICATION = 'test fixture: setting up a tenant of another region';

/**
 * The `X-Justification` header for a staff call on a tenant of `region` by the bootstrap admin (R-A1, R-T4): the
 * header when that region is not the bootstrap's, else nothing. Spread into `http(…, { headers })`.
 */
export function justifiedFor(region: Region, text = TEST_JUSTIFICATION): Record<string, string> {
  return region === TEST_BOOTSTRAP_REGION ? {} : { 'x-justification': text };
}

/** The header for a bootstrap-admin call whatever the tenant's region (ignored, and not audited, in its own). */
export const JUSTIFIED: Readonly<Record<string, string>> = { 'x-justification': TEST_JUSTIFICATION };

export interface TestTenant {
  tenant: { id: string; name: string; region: Region; status: string };
  apiKey: string;
  apiKeyId: string;
}

/**
 * A tenant and an API key made through the real support API, as support would (the services must include the
 * support service and be started with `SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN`). For a tenant of another
 * region than the bootstrap admin's, the key is issued with a justification (R-A1).
 */
export async function createTestTenant(
  services: { supportUrl: string },
  options: { region: Region; transferSafeguard?: string; name?: string },
): Promise<TestTenant> {
  if (!services.supportUrl) throw new Error('createTestTenant needs the support service started (supportUrl)');
  const created = await http('POST', `${services.supportUrl}/internal/v1/tenants`, {
    token: TEST_BOOTSTRAP_TOKEN,
    body: {
      name: options.name ?? `test tenant ${options.region}`,
      region: options.region,
      ...(options.transferSafeguard ? { transferSafeguard: options.transferSafeguard } : {}),
    },
  });
  if (created.status !== 201) throw new Error(`creating a test tenant: ${created.status} ${created.text}`);
  const key = await http('POST', `${services.supportUrl}/internal/v1/tenants/${created.body.id}/api-keys`, {
    token: TEST_BOOTSTRAP_TOKEN,
    headers: justifiedFor(options.region),
  });
  if (key.status !== 201) throw new Error(`issuing a test API key: ${key.status} ${key.text}`);
  return { tenant: created.body, apiKey: key.body.key, apiKeyId: key.body.id };
}

/**
 * A staff token of any role and region, written straight into the global directory as an operator would seed it.
 * Through the API an admin issues tokens for its own region only (R-A1), so tests that need, say, NA staff next
 * to the EEA bootstrap admin make them here. `database`: a scratch global database, by default the shared one.
 */
export async function createTestStaff(
  options: { role: 'support' | 'admin'; region: Region; name?: string },
  database: 'global' | { url: string } = 'global',
): Promise<{ id: string; token: string }> {
  const id = randomUUID();
  const token = `mst_${randomBytes(32).toString('base64url')}`;
  const hash = createHash('sha256').update(token, 'utf8').digest('hex');
  await adminQuery(
    database,
    'INSERT INTO staff (id, name, role, region, token_hash, created_by) VALUES ($1, $2, $3, $4, $5, $6)',
    [id, options.name ?? `test ${options.region} ${options.role}`, options.role, options.region, hash, 'test:fixture'],
  );
  return { id, token };
}
