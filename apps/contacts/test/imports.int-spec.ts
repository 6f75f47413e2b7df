import fc from 'fast-check';
import { existsSync, readdirSync } from 'node:fs';
import { contactStatesOf } from '@missive/contracts';
import {
  adminQuery,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  type TestServices,
  type TestTenant,
  waitFor,
} from '@missive/testing';
import { supportService } from '../../support/src/service';
import { contactsService } from '../src/service';
import { EventTap } from './event-tap';
import { CSV_HEADER, csvRow, importFile } from './import-helpers';

describe('bulk import (R-C6, R-C7, with the API’s rules R-C1–C4, R-T3)', () => {
  let services: TestServices;
  let na: TestTenant;
  let tap: EventTap;

  beforeAll(async () => {
    services = await startTestServices([contactsService, supportService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    });
    na = await createTestTenant(services, { region: 'NA' });
    tap = new EventTap(services.config, new Set([na.tenant.id]));
    await tap.start('NA', ['contact.changed']);
  });

  afterAll(async () => {
    await tap?.stop();
    await services?.stop();
  });

  const countOf = async (tenant: TestTenant, where = 'true', params: unknown[] = []) =>
    (
      await adminQuery<{ n: number }>(
        'NA',
        `SELECT count(*)::int AS n FROM contacts WHERE tenant_id = $1 AND ${where}`,
        [tenant.tenant.id, ...params],
      )
    )[0].n;

  it('R-C6: every bad-row kind is reported with its row and field while the good rows land', async () => {
    const tenant = await createTestTenant(services, { region: 'NA' });
    // R-C7: an address already on the suppression list.
    const suppressed = await http('POST', `${services.publicUrl}/v1/suppressions`, {
      token: tenant.apiKey,
      body: { email: 'person3@example.com', reason: 'complaint' },
    });
    expect(suppressed.status).toBe(201);

    const young = `${new Date().getUTCFullYear() - 10}-01-01`;
    const lines = [
      `${CSV_HEADER},favourite`, // line 1: one unknown column
      `${csvRow(1)},x`, // 2 good
      `${csvRow(2, { email: 'not an address' })},x`, // 3 bad email
      `${csvRow(3)},x`, // 4 good, suppressed
      `${csvRow(4, { lawfulBasis: 'whim' })},x`, // 5 unknown lawful basis
      `${csvRow(5, { 'consent.givenAt': '', 'consent.source': '' })},x`, // 6 consent missing
      `${csvRow(6, { birthDate: young })},x`, // 7 minor
      `${csvRow(7)},x`, // 8 good
      `${csvRow(8, { region: 'EEA' })},x`, // 9 EEA contact of an NA tenant, no safeguard
      `person9@example.com,"Broken"Quote,L,contract,,,,,,,,x`, // 10 broken quoting
      `${csvRow(10)},x`, // 11 good
      `person11@example.com,${'z'.repeat(10 * 1024 * 1024)},L,contract,,,,,,,,x`, // 12: a 10 MB line
      `${csvRow(12)},x`, // 13 good
    ];
    const header = Buffer.from(`${lines.join('\n')}\n`);
    const notUtf8 = Buffer.concat([
      Buffer.from('person13@example.com,Jos'),
      Buffer.from([0xe9, 0xff]),
      Buffer.from(',L,contract,,,,,,,,x\n'), // 14 non-UTF-8 bytes
    ]);
    const good = Buffer.from('person14@example.com,A,B,consent,2025-01-01T00:00:00Z,web,false,,,,gold,x\n'); // 15
    const tail = Buffer.from(`${csvRow(15)},x\n`); // 16 good
    const file = Buffer.concat([header, notUtf8, good, tail]);

    const report = await importFile(services, tenant, file);
    expect(report.status).toBe('done');
    expect(report).toMatchObject({ total: 15, rejected: 8, created: 7, updated: 0, unchanged: 0 });
    const byRow = (row: number) => report.errors.filter((e) => e.row === row).map((e) => e.field);
    expect(byRow(1)).toEqual(['favourite']);
    expect(byRow(3)).toEqual(['email']);
    expect(byRow(5)).toEqual(['lawfulBasis']);
    expect(byRow(6)).toEqual(['consent.givenAt', 'consent.source']);
    expect(byRow(7)).toEqual(['birthDate']);
    expect(byRow(9)).toEqual(['region']);
    expect(report.errors.find((e) => e.row === 10)).toEqual({
      row: 10,
      field: 'row',
      reason: expect.stringContaining('quoting'),
    });
    expect(report.errors.find((e) => e.row === 12)).toEqual({
      row: 12,
      field: 'row',
      reason: expect.stringContaining('larger than'),
    });
    expect(byRow(14)).toEqual(['firstName']);
    expect(await countOf(tenant)).toBe(7);
    expect(await countOf(tenant, `email = 'person3@example.com' AND status = 'suppressed'`)).toBe(1);
    expect(await countOf(tenant, `status = 'active'`)).toBe(6);
    // The file is gone once the import is done (R-P2: kept only while needed).
    const folder = `${services.config.dataDir}/na/${tenant.tenant.id}/imports`;
    expect(existsSync(folder) ? readdirSync(folder) : []).toEqual([]);
  });

  it('R-C4: a special-category column is refused per row unless the consent is explicit', async () => {
    const tenant = await createTestTenant(services, { region: 'NA' });
    const csv = [
      'email,lawfulBasis,consent.givenAt,consent.source,consent.explicit,attributes.Religious_Affiliation',
      'a@example.com,consent,2025-01-01T00:00:00Z,web,false,none given',
      'b@example.com,consent,2025-01-01T00:00:00Z,web,true,quaker',
      'c@example.com,consent,2025-01-01T00:00:00Z,web,false,',
    ].join('\n');
    const report = await importFile(services, tenant, csv);
    expect(report).toMatchObject({ total: 3, created: 2, rejected: 1 });
    expect(report.errors).toEqual([{ row: 2, field: 'attributes.Religious_Affiliation', reason: expect.any(String) }]);
  });

  it('R-C6: an empty file and a header-only file end with a file-level error; NDJSON rows are checked alike', async () => {
    const empty = await importFile(services, na, '');
    expect(empty).toMatchObject({ status: 'done', total: 0, errors: [{ row: 0, field: 'file', reason: 'is empty' }] });
    const headerOnly = await importFile(services, na, `${CSV_HEADER}\n`);
    expect(headerOnly).toMatchObject({ status: 'done', total: 0, errors: [{ row: 1, field: 'file' }] });

    const ndjson = [
      JSON.stringify({ email: 'nd1@example.com', lawfulBasis: 'contract', attributes: { plan: 'gold' } }),
      '{"email": "nd2@example.com", "lawfulBasis": ',
      JSON.stringify({ email: 'nd3@example.com', lawfulBasis: 'consent' }),
      '',
      JSON.stringify({ email: 'nd4@example.com', lawfulBasis: 'contract', colour: 'red' }),
      JSON.stringify({ email: 'ND1@example.com', lawfulBasis: 'contract', attributes: { plan: 'gold' } }),
    ].join('\n');
    const report = await importFile(services, na, ndjson, 'application/x-ndjson');
    expect(report).toMatchObject({ status: 'done', total: 5, created: 1, unchanged: 1, rejected: 3 });
    expect(report.errors).toEqual([
      { row: 2, field: 'row', reason: 'is not valid JSON' },
      { row: 3, field: 'consent', reason: expect.any(String) },
      { row: 5, field: 'colour', reason: 'unknown field' },
    ]);
  });

  it('R-C6: importing the same file twice changes nothing the second time; changed rows count as updated', async () => {
    const tenant = await createTestTenant(services, { region: 'NA' });
    const csv = `${CSV_HEADER}\n${Array.from({ length: 500 }, (_, i) => csvRow(i)).join('\n')}\n`;
    const first = await importFile(services, tenant, csv);
    expect(first).toMatchObject({ status: 'done', total: 500, created: 500, updated: 0, rejected: 0 });
    const stamps = await adminQuery('NA', `SELECT max(updated_at) AS t FROM contacts WHERE tenant_id = $1`, [
      tenant.tenant.id,
    ]);
    const second = await importFile(services, tenant, csv);
    expect(second).toMatchObject({ status: 'done', total: 500, created: 0, updated: 0, unchanged: 500 });
    expect(
      await adminQuery('NA', `SELECT max(updated_at) AS t FROM contacts WHERE tenant_id = $1`, [tenant.tenant.id]),
    ).toEqual(stamps);
    const consents = await adminQuery('NA', `SELECT count(*)::int AS n FROM consents WHERE tenant_id = $1`, [
      tenant.tenant.id,
    ]);
    expect(consents[0].n).toBe(500);

    const edited = csv.replace('First7,', 'Seventh,');
    const third = await importFile(services, tenant, edited);
    expect(third).toMatchObject({ created: 0, updated: 1, unchanged: 499 });
  });

  it('R-C6, R-X5, R-T2: an import publishes its changes batched (contact.changed v5), personal fields sealed per contact', async () => {
    const csv = `${CSV_HEADER}\n${Array.from({ length: 1500 }, (_, i) => csvRow(i, { email: `ev${i}@example.com` })).join('\n')}`;
    const report = await importFile(services, na, csv);
    expect(report.created).toBe(1500);
    const rows = await adminQuery<{ id: string; email: string; status: string; lists: string[] }>(
      'NA',
      `SELECT id, email, status, lists FROM contacts WHERE tenant_id = $1 AND email LIKE 'ev%@example.com'`,
      [na.tenant.id],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.size).toBe(1500);
    // Read as every consumer reads them (contactStatesOf), so this holds for the consumers too.
    const ofImport = () =>
      tap
        .of('contact.changed', na.tenant.id)
        .filter((e) => e.version === 5)
        .map((e) => ({ e, states: contactStatesOf(e) }))
        .filter(({ states }) => states.some(({ state }) => byId.has(state.contactId)));
    await waitFor(() => ofImport().reduce((n, { states }) => n + states.length, 0) >= 1500, {
      what: 'contact.changed v5 events naming every imported contact',
      // The tap's fresh group first replays the topic's retained history.
      timeoutMs: 100000,
    });
    // Far fewer events than contacts, each contact in exactly one, its state as stored.
    const events = ofImport();
    expect(events.length).toBeLessThan(20);
    const seen = new Set<string>();
    for (const { e, states } of events) {
      expect(e.raw).not.toContain('@example.com');
      const sealed = (e.data as { personal: string[] }).personal;
      const personal = await services.platform.tenantKeys.open<{ email: string }[]>('NA', na.tenant.id, sealed);
      expect(personal).toHaveLength(states.length);
      for (const { state, personalIndex } of states) {
        expect(seen.has(state.contactId)).toBe(false);
        seen.add(state.contactId);
        const row = byId.get(state.contactId)!;
        expect({ email: personal![personalIndex!].email, status: state.status, lists: state.lists }).toEqual({
          email: row.email,
          status: row.status,
          lists: row.lists,
        });
      }
    }
    expect(seen.size).toBe(1500);
    for (const e of tap.of('contact.changed', na.tenant.id)) expect(e.raw).not.toContain('@example.com');
  }, 150000);

  it('R-C1, R-C6 (property): an import is idempotent and agrees with the API on the normal form', async () => {
    const tenant = await createTestTenant(services, { region: 'NA' });
    const local = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,10}[A-Za-z0-9]$/).filter((s) => !s.includes('..'));
    const contact = fc.record({
      local,
      domain: fc.constantFrom('Example.COM', 'example.org', 'MAIL.example.net'),
      firstName: fc.option(
        fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s && !s.includes('\u0000')),
      ),
      lawfulBasis: fc.constantFrom('contract', 'legitimate_interests'),
      tags: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(contact, { minLength: 1, maxLength: 30 }), async (rows) => {
        const lines = rows.map((r) =>
          JSON.stringify({
            email: ` ${r.local}@${r.domain} `,
            firstName: r.firstName ?? undefined,
            lawfulBasis: r.lawfulBasis,
            tags: r.tags,
          }),
        );
        const first = await importFile(services, tenant, lines.join('\n'), 'application/x-ndjson');
        expect(first.rejected).toBe(0);
        const second = await importFile(services, tenant, lines.join('\n'), 'application/x-ndjson');
        expect(second).toMatchObject({ created: 0, updated: 0, unchanged: rows.length, rejected: 0 });
        // The API's upsert of the last row for an address finds it identical too (one rule set, one normal form).
        const last = JSON.parse(lines[lines.length - 1]);
        const api = await http('POST', `${services.publicUrl}/v1/contacts`, { token: tenant.apiKey, body: last });
        expect(api.status).toBe(200);
        expect(api.body.email).toBe(
          `${rows[rows.length - 1].local.toLowerCase()}@${rows[rows.length - 1].domain.toLowerCase()}`,
        );
      }),
      { numRuns: 8 },
    );
  });

  it('R-C6: a body that is neither CSV nor NDJSON is refused with 415; JSON bodies keep the 1 MB limit', async () => {
    const res = await http('POST', `${services.publicUrl}/v1/imports`, {
      token: na.apiKey,
      headers: { 'content-type': 'application/xml' },
      raw: '<a/>',
    });
    expect(res.status).toBe(415);
    const big = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: na.apiKey,
      body: { email: 'big@example.com', lawfulBasis: 'contract', firstName: 'x'.repeat(1_100_000) },
    });
    expect(big.status).toBe(413);
  });
});
