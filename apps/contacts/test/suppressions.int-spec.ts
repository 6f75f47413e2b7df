import {
  adminQuery,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import type { ContactChangedV2 } from '@missive/contracts';
import { sendGate } from '../../campaigns/src/sending/send-gate.rules';
import { supportService } from '../../support/src/service';
import { contactsService } from '../src/service';
import { MAX_STORED_ERRORS } from '../src/imports/imports.repository';
import { MAX_SUPPRESSION_IMPORT_BYTES } from '../src/suppressions/suppression-imports.service';
import { EventTap } from './event-tap';

describe('suppressions API (R-U5, R-C7)', () => {
  let services: TestServices;
  let na: TestTenant;
  let other: TestTenant;
  let tap: EventTap;
  const url = () => `${services.publicUrl}/v1/suppressions`;
  const importCsv = (tenant: TestTenant, csv: string | Buffer, type = 'text/csv') =>
    http('POST', `${url()}/imports`, { token: tenant.apiKey, headers: { 'content-type': type }, raw: csv });
  const listed = async (tenant: TestTenant) =>
    (
      await adminQuery<{ email: string; reason: string }>(
        'NA',
        `SELECT email, reason FROM suppressions WHERE tenant_id = $1 ORDER BY email`,
        [tenant.tenant.id],
      )
    ).map((r) => `${r.email} ${r.reason}`);

  beforeAll(async () => {
    services = await startTestServices([contactsService, supportService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    });
    [na, other] = await Promise.all([
      createTestTenant(services, { region: 'NA' }),
      createTestTenant(services, { region: 'NA' }),
    ]);
    tap = new EventTap(services.config, new Set([na.tenant.id]));
    await tap.start('NA', ['suppression.changed', 'contact.changed']);
  });

  afterAll(async () => {
    await tap?.stop();
    await services?.stop();
  });

  it('R-U5: adding a suppression suppresses the contact and publishes suppression.changed without the address', async () => {
    const contact = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: na.apiKey,
      body: { email: 'sup@example.com', lawfulBasis: 'contract' },
    });
    const added = await http('POST', url(), {
      token: na.apiKey,
      body: { email: ' SUP@example.com', reason: 'complaint' },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ email: 'sup@example.com', reason: 'complaint' });
    const read = await http('GET', `${services.publicUrl}/v1/contacts/${contact.body.id}`, { token: na.apiKey });
    expect(read.body.status).toBe('suppressed');
    const [event] = await tap.waitFor('suppression.changed', na.tenant.id);
    expect(event.data).toEqual({ action: 'added', contactId: contact.body.id });
    expect(event.raw).not.toContain('sup@example.com');

    // R-C7 through the API too: re-posting the contact keeps it suppressed.
    const again = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: na.apiKey,
      body: { email: 'sup@example.com', lawfulBasis: 'contract', firstName: 'S' },
    });
    expect(again.body.status).toBe('suppressed');

    expect((await http('DELETE', `${url()}/SUP@example.com`, { token: na.apiKey })).status).toBe(204);
    const after = await http('GET', `${services.publicUrl}/v1/contacts/${contact.body.id}`, { token: na.apiKey });
    expect(after.body.status).toBe('active');
    expect((await http('DELETE', `${url()}/sup@example.com`, { token: na.apiKey })).status).toBe(404);
  });

  it('R-U5: lists in pages; refuses bad input with the field named; another tenant sees nothing', async () => {
    for (const i of [1, 2, 3, 4, 5]) {
      expect((await http('POST', url(), { token: na.apiKey, body: { email: `p${i}@example.com` } })).status).toBe(201);
    }
    const first = await http('GET', `${url()}?limit=3`, { token: na.apiKey });
    expect(first.body.items.map((s: { email: string }) => s.email)).toEqual([
      'p1@example.com',
      'p2@example.com',
      'p3@example.com',
    ]);
    const second = await http('GET', `${url()}?limit=3&cursor=${first.body.next}`, { token: na.apiKey });
    expect(second.body.items.map((s: { email: string }) => s.email)).toEqual(['p4@example.com', 'p5@example.com']);
    expect(second.body.next).toBeNull();

    const bad = await http('POST', url(), { token: na.apiKey, body: { email: 'nope', reason: 5, x: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'reason', 'x']);
    expect((await http('GET', url(), { token: other.apiKey })).body.items).toEqual([]);
    expect((await http('DELETE', `${url()}/p1@example.com`, { token: other.apiKey })).status).toBe(404);
    const rows = await adminQuery('NA', `SELECT count(*)::int AS n FROM suppressions WHERE tenant_id = $1`, [
      na.tenant.id,
    ]);
    expect(rows[0].n).toBe(5);
  });

  it('R-U5, R-C1: a CSV import adds the good rows in normal form, reports bad ones by row and field, counts repeats', async () => {
    const tenant = await createTestTenant(services, { region: 'NA' });
    expect((await http('POST', url(), { token: tenant.apiKey, body: { email: 'old@example.com' } })).status).toBe(201);
    const csv = Buffer.concat([
      Buffer.from(
        [
          'email,reason,source', // 1: one unknown column
          ' Ann@Example.COM ,complaint,x', // 2: normalised as contacts are
          'not-an-address,manual,x', // 3: bad email
          'bob@example.com,,x', // 4: no reason → the default
          'ann@example.com,again,x', // 5: repeated in the file
          'old@example.com,manual,x', // 6: already on the list
          'carl@example.com,too,many,fields', // 7: field count
          ',bounce,x', // 8: empty email
          `dora@example.com,${'r'.repeat(201)},x`, // 9: reason too long
          '"eve@example.com","quoted, with a comma",x', // 10: quoted fields
          '',
        ].join('\n'),
      ),
      Buffer.concat([Buffer.from('fr'), Buffer.from([0xe9, 0xff]), Buffer.from('d@example.com,,x\n')]), // 11: not UTF-8
      Buffer.from('gus@example.com,manual,x'), // 12: no final line break
    ]);
    const res = await importCsv(tenant, csv);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 11, added: 4, alreadySuppressed: 2, rejected: 5, errorCount: 6 });
    expect(res.body.errors).toEqual([
      { row: 1, field: 'source', reason: expect.stringContaining('unknown column') },
      { row: 3, field: 'email', reason: expect.any(String) },
      { row: 7, field: 'row', reason: 'has 4 fields; the header has 3' },
      { row: 8, field: 'email', reason: 'is required' },
      { row: 9, field: 'reason', reason: expect.stringContaining('longer than') },
      { row: 11, field: 'email', reason: 'is not valid UTF-8' },
    ]);
    expect(await listed(tenant)).toEqual([
      'ann@example.com complaint',
      'bob@example.com manual',
      'eve@example.com quoted, with a comma',
      'gus@example.com manual',
      'old@example.com manual',
    ]);
  });

  it('R-U5, R-C7, R-S2, R-X5: an imported address suppresses its contact, publishes as a single add does, and the send gate skips it', async () => {
    const tenant = await createTestTenant(services, { region: 'NA' });
    tap.watch(tenant.tenant.id);
    const contact = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: tenant.apiKey,
      body: { email: 'gated@example.com', lawfulBasis: 'contract', lists: ['news'] },
    });
    expect(contact.body.status).toBe('active');
    const file = 'email,reason\nGATED@example.com,complaint\nnobody@example.com,\n';
    const res = await importCsv(tenant, file);
    expect(res.body).toMatchObject({ received: 2, added: 2, alreadySuppressed: 0, rejected: 0 });

    const read = await http('GET', `${services.publicUrl}/v1/contacts/${contact.body.id}`, { token: tenant.apiKey });
    expect(read.body.status).toBe('suppressed');
    // One suppression.changed per address, without it: the contact's id, or null when there is no contact.
    const suppressed = await tap.waitFor('suppression.changed', tenant.tenant.id, 2);
    expect(suppressed.map((e) => e.data)).toEqual(
      expect.arrayContaining([
        { action: 'added', contactId: contact.body.id },
        { action: 'added', contactId: null },
      ]),
    );
    // contact.changed v2 with the new status: what every send gate's projection is built from.
    await waitFor(
      () =>
        tap
          .of('contact.changed', tenant.tenant.id)
          .some((e) => e.version === 2 && (e.data as ContactChangedV2).status === 'suppressed'),
      { what: 'contact.changed v2 with status suppressed' },
    );
    const latest = tap
      .of('contact.changed', tenant.tenant.id)
      .map((e) => e.data as ContactChangedV2)
      .filter((d) => d.contactId === contact.body.id)
      .pop()!;
    expect(latest.status).toBe('suppressed');
    for (const e of tap.events) expect(e.raw).not.toContain('@example.com');
    const gate = sendGate(
      { status: 'active', terminatedAt: null },
      { ...latest, birthDate: null },
      new Date(),
      services.config.minimumAges,
    );
    expect(gate).toEqual({
      send: false,
      reason: 'suppressed',
    });

    // The same file again changes nothing and publishes nothing more.
    const again = await importCsv(tenant, file);
    expect(again.body).toMatchObject({ received: 2, added: 0, alreadySuppressed: 2 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(tap.of('suppression.changed', tenant.tenant.id)).toHaveLength(2);
  });

  it("R-T1, R-U5: another tenant's key neither sees nor changes imported suppressions", async () => {
    const [owner, stranger] = await Promise.all([
      createTestTenant(services, { region: 'NA' }),
      createTestTenant(services, { region: 'NA' }),
    ]);
    const contact = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: stranger.apiKey,
      body: { email: 'shared@example.com', lawfulBasis: 'contract' },
    });
    expect((await importCsv(owner, 'email\nshared@example.com\nowner-only@example.com\n')).body.added).toBe(2);

    expect((await http('GET', url(), { token: stranger.apiKey })).body.items).toEqual([]);
    expect((await http('DELETE', `${url()}/owner-only@example.com`, { token: stranger.apiKey })).status).toBe(404);
    // The same address on the other tenant's list is its own: the owner's import did not suppress its contact.
    const theirs = await http('GET', `${services.publicUrl}/v1/contacts/${contact.body.id}`, {
      token: stranger.apiKey,
    });
    expect(theirs.body.status).toBe('active');
    expect((await importCsv(stranger, 'email\nshared@example.com\n')).body).toMatchObject({ added: 1 });
    expect(await listed(owner)).toEqual(['owner-only@example.com manual', 'shared@example.com manual']);
    expect((await http('GET', url(), { token: owner.apiKey })).body.items).toHaveLength(2);
  });

  it('R-U5, R-C5, R-X2: a file without an email column, an empty, non-CSV or too large body is refused; nothing is written', async () => {
    const tenant = await createTestTenant(services, { region: 'NA' });
    const noEmail = await importCsv(tenant, 'address,reason\nann@example.com,x\n');
    expect(noEmail.status).toBe(400);
    expect(noEmail.body.details).toEqual([{ row: 1, field: 'email', reason: 'column is missing' }]);
    const empty = await importCsv(tenant, '');
    expect(empty.status).toBe(400);
    expect(empty.body.details).toEqual([{ row: 0, field: 'file', reason: 'is empty' }]);
    const json = await importCsv(tenant, '{"email":"ann@example.com"}', 'application/json');
    expect(json.status).toBe(415);
    const huge = Buffer.alloc(MAX_SUPPRESSION_IMPORT_BYTES + 1, 'a');
    huge.write('email\nann@example.com\n');
    expect((await importCsv(tenant, huge)).status).toBe(413);
    expect(await listed(tenant)).toEqual([]);
  });

  it(`R-U5, R-C6: a large file streams in batches; repeats across batches count once; errors stop at ${MAX_STORED_ERRORS}`, async () => {
    const tenant = await createTestTenant(services, { region: 'NA' });
    // Few enough good rows that the events it publishes (one per address) do not hold up the shared outbox for
    // the other test files, enough for two batches (5,000 addresses each) and more errors than are stored.
    const rows = 12000;
    const lines = ['email,reason'];
    let repeats = 0;
    for (let i = 0; i < rows; i++) {
      // Every odd row is bad; from row 6,000 on, every 10th row repeats the address of 6,000 rows before.
      if (i % 2 === 1) lines.push(`bad-${i},bulk`);
      else if (i % 10 === 4 && i >= 6000) {
        lines.push(`bulk-${i - 6000}@example.com,bulk`);
        repeats += 1;
      } else lines.push(`bulk-${i}@example.com,bulk`);
    }
    const bad = rows / 2;
    const res = await importCsv(tenant, `${lines.join('\n')}\n`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      received: rows,
      added: rows - bad - repeats,
      alreadySuppressed: repeats,
      rejected: bad,
      errorCount: bad,
    });
    expect(res.body.errors).toHaveLength(Math.min(bad, MAX_STORED_ERRORS));
    expect(res.body.errors[0]).toEqual({ row: 3, field: 'email', reason: expect.any(String) });
    const [{ n }] = await adminQuery<{ n: number }>(
      'NA',
      'SELECT count(*)::int AS n FROM suppressions WHERE tenant_id = $1',
      [tenant.tenant.id],
    );
    expect(n).toBe(rows - bad - repeats);
  }, 120000);
});
