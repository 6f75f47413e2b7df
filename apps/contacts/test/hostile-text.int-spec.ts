import {
  adminQuery,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { supportService } from '../../support/src/service';
import { contactsService } from '../src/service';
import { CSV_HEADER, csvRow, importFile } from './import-helpers';

const CONSENT = { givenAt: '2025-01-10T10:00:00Z', source: 'signup-form' };

describe('NUL bytes, invalid UTF-8 and lone surrogates (R-X6, R-C5, R-C6)', () => {
  let services: TestServices;
  let na: TestTenant;

  beforeAll(async () => {
    services = await startTestServices([contactsService, supportService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    });
    na = await createTestTenant(services, { region: 'NA' });
  });

  afterAll(async () => {
    await services?.stop();
  });

  const contact = (email: string, extra: Record<string, unknown> = {}) => ({
    email,
    lawfulBasis: 'consent',
    consent: CONSENT,
    ...extra,
  });
  const postRaw = (raw: Buffer | string) =>
    http('POST', `${services.publicUrl}/v1/contacts`, {
      token: na.apiKey,
      headers: { 'content-type': 'application/json' },
      raw,
    });
  const countOf = async (email: string) =>
    (
      await adminQuery<{ n: number }>(
        'NA',
        `SELECT count(*)::int AS n FROM contacts WHERE tenant_id = $1 AND email = $2`,
        [na.tenant.id, email],
      )
    )[0].n;

  it('R-X6: a NUL in a contact field answers 400 naming the field, and nothing is written', async () => {
    const res = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: na.apiKey,
      body: contact('nul@example.com', { firstName: 'Ann\u0000' }),
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_input',
      message: expect.stringContaining('firstName'),
      details: [{ field: 'firstName', reason: expect.stringContaining('NUL') }],
    });
    expect(await countOf('nul@example.com')).toBe(0);
  });

  it('R-X6: a NUL in an attribute, its name or a consent field is named with its dotted path', async () => {
    const res = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: na.apiKey,
      body: contact('nul2@example.com', {
        attributes: { city: 'x\u0000', 'a\u0000': 'v' },
        consent: { ...CONSENT, source: '\u0000' },
      }),
    });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(
      ['attributes.a\\u0000', 'attributes.city', 'consent.source'].sort(),
    );
  });

  it('R-X6: a lone surrogate (a JSON \\ud800 escape) answers 400 naming the field', async () => {
    const res = await postRaw(JSON.stringify(contact('surrogate@example.com', { lastName: 'X\ud800' })));
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'lastName', reason: expect.stringContaining('surrogate') }]);
  });

  it('R-X6: bytes that are not UTF-8 answer 400 naming the field; a real U+FFFD is accepted', async () => {
    const body = Buffer.concat([
      Buffer.from('{"email":"bytes@example.com","lawfulBasis":"consent","firstName":"Jos'),
      Buffer.from([0xe9, 0xff]),
      Buffer.from(`","consent":${JSON.stringify(CONSENT)}}`),
    ]);
    const res = await postRaw(body);
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'firstName', reason: 'is not valid UTF-8' }]);

    const fine = await postRaw(JSON.stringify(contact('fffd@example.com', { firstName: 'M\uFFFD' })));
    expect(fine.status).toBe(201);
  });

  it('R-X6: a NUL in a query parameter answers 400 naming it, not 500', async () => {
    const res = await http('GET', `${services.publicUrl}/v1/contacts?email=a%00b@example.com`, { token: na.apiKey });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'email', reason: expect.stringContaining('NUL') }]);
  });

  it('R-C6: a CSV row with a NUL byte is a per-row error; the other rows of its batch are imported', async () => {
    const tenant = await createTestTenant(services, { region: 'NA' });
    const file = Buffer.from(
      [CSV_HEADER, csvRow(1), csvRow(2, { firstName: 'Nu\u0000l' }), csvRow(3, { 'attributes.plan': '\u0000' })]
        .map((l) => `${l}\n`)
        .join(''),
    );
    const report = await importFile(services, tenant, file);
    expect(report).toMatchObject({ status: 'done', total: 3, created: 1, rejected: 2 });
    expect(report.errors).toEqual([
      { row: 3, field: 'firstName', reason: expect.stringContaining('NUL') },
      { row: 4, field: 'attributes.plan', reason: expect.stringContaining('NUL') },
    ]);
  });

  it('R-C6: NDJSON rows with a NUL or a lone surrogate fail alone', async () => {
    const tenant = await createTestTenant(services, { region: 'NA' });
    const rows = [
      contact('nd1@example.com'),
      contact('nd2@example.com', { firstName: '\u0000' }),
      contact('nd3@example.com', { attributes: { k: '\udc00' } }),
      contact('nd4@example.com'),
    ];
    const report = await importFile(
      services,
      tenant,
      rows.map((r) => `${JSON.stringify(r)}\n`).join(''),
      'application/x-ndjson',
    );
    expect(report).toMatchObject({ status: 'done', total: 4, created: 2, rejected: 2 });
    expect(report.errors).toEqual([
      { row: 2, field: 'firstName', reason: expect.stringContaining('NUL') },
      { row: 3, field: 'attributes.k', reason: expect.stringContaining('surrogate') },
    ]);
  });
});
