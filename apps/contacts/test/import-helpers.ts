import { http, waitFor, type TestServices, type TestTenant } from '@missive/testing';

export interface ImportReport {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errors: { row: number; field: string; reason: string }[];
  errorCount: number;
  failure: string | null;
}

/** Uploads a file through the public API and waits for the import to end; returns its report. */
export async function importFile(
  services: Pick<TestServices, 'publicUrl'>,
  tenant: TestTenant,
  content: string | Buffer,
  type: 'text/csv' | 'application/x-ndjson' = 'text/csv',
  timeoutMs = 60000,
): Promise<ImportReport> {
  const accepted = await http('POST', `${services.publicUrl}/v1/imports`, {
    token: tenant.apiKey,
    headers: { 'content-type': type },
    raw: content,
  });
  if (accepted.status !== 202) throw new Error(`import refused: ${accepted.status} ${accepted.text}`);
  return waitForImport(services, tenant, accepted.body.id, timeoutMs);
}

export function waitForImport(
  services: Pick<TestServices, 'publicUrl'>,
  tenant: TestTenant,
  id: string,
  timeoutMs = 60000,
): Promise<ImportReport> {
  return waitFor(
    async () => {
      const res = await http<ImportReport>('GET', `${services.publicUrl}/v1/imports/${id}`, { token: tenant.apiKey });
      return res.body.status === 'done' || res.body.status === 'failed' ? res.body : null;
    },
    { timeoutMs, intervalMs: 100, what: `import ${id} to end` },
  );
}

export const CSV_HEADER =
  'email,firstName,lastName,lawfulBasis,consent.givenAt,consent.source,consent.explicit,region,birthDate,lists,attributes.plan';

/** A valid CSV row for the header above. */
export function csvRow(i: number, overrides: Partial<Record<string, string>> = {}): string {
  const row: Record<string, string> = {
    email: `person${i}@example.com`,
    firstName: `First${i}`,
    lastName: `Last${i}`,
    lawfulBasis: 'consent',
    'consent.givenAt': '2025-03-01T09:00:00Z',
    'consent.source': 'web',
    'consent.explicit': 'false',
    region: '',
    birthDate: '1980-05-17',
    lists: 'news;offers',
    'attributes.plan': i % 2 === 0 ? 'gold' : 'silver',
    ...overrides,
  };
  return CSV_HEADER.split(',')
    .map((c) => row[c])
    .join(',');
}
