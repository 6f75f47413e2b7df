import type { Region } from '@missive/contracts';
import { http } from './http-client';

/** Pass as `SUPPORT_BOOTSTRAP_TOKEN` to `startTestServices` (it is an EEA admin, API.md). */
export const TEST_BOOTSTRAP_TOKEN = 'test-bootstrap-staff-token-0123456789abcdef';

export interface TestTenant {
  tenant: { id: string; name: string; region: Region; status: string };
  apiKey: string;
  apiKeyId: string;
}

/**
 * A tenant and an API key made through the real support API, as support would (the services must include the
 * support service and be started with `SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN`).
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
  });
  if (key.status !== 201) throw new Error(`issuing a test API key: ${key.status} ${key.text}`);
  return { tenant: created.body, apiKey: key.body.key, apiKeyId: key.body.id };
}
