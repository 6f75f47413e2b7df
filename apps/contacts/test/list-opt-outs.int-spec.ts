import { randomUUID } from 'node:crypto';
import { optOutSetKey } from '@missive/redis';
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
import { LinkTokenSigner } from '@missive/tokens';
import { campaignsService } from '../../campaigns/src/service';
import { supportService } from '../../support/src/service';
import { unsubscribeService } from '../../unsubscribe/src/service';
import { contactsService } from '../src/service';
import { importFile, type ImportReport } from './import-helpers';

const CONSENT = { givenAt: '2025-01-10T10:00:00Z', source: 'signup-form' };

interface Contact {
  id: string;
  status: string;
  firstName: string | null;
  lists: string[];
  updatedAt: string;
}

type KeptOffReport = ImportReport & { keptOff: number; keptOffRows: { row: number; field: string; reason: string }[] };

/**
 * R-U4 across the real services: a list left on the unsubscribe service's preferences page is remembered by the
 * contacts service; no upsert, import or PATCH puts the person back on it; only a resubscribe with a new consent
 * record does, and the campaigns projection follows it.
 */
describe('list opt-outs are remembered per list (R-U4)', () => {
  let services: TestServices;
  let t: TestTenant;
  let signer: LinkTokenSigner;

  beforeAll(async () => {
    services = await startTestServices([contactsService, unsubscribeService, campaignsService, supportService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      INBOUND_SMTP_PORT: '0',
    });
    signer = new LinkTokenSigner(services.config.linkTokenKeys);
    t = await createTestTenant(services, { region: 'NA' });
  }, 90000);

  afterAll(async () => {
    await services?.stop();
  });

  const url = (path: string) => `${services.publicUrl}${path}`;
  const unsubscribeToken = (contactId: string) =>
    signer.mint({ kind: 'unsubscribe', tenantId: t.tenant.id, region: 'NA', campaignId: null, contactId });
  const getContact = async (id: string) =>
    (await http<Contact>('GET', url(`/v1/contacts/${id}`), { token: t.apiKey })).body;
  const upsert = (body: Record<string, unknown>) =>
    http<Contact>('POST', url('/v1/contacts'), { token: t.apiKey, body });
  const resubscribe = (id: string, body: unknown) =>
    http<Contact & { details?: { field: string }[] }>('POST', url(`/v1/contacts/${id}/resubscribe`), {
      token: t.apiKey,
      body,
    });
  const projection = async (id: string) =>
    (
      await adminQuery<{ status: string; lists: string[] }>(
        'NA',
        'SELECT status, lists FROM campaign_contacts WHERE tenant_id = $1 AND contact_id = $2',
        [t.tenant.id, id],
      )
    )[0];
  const form = (raw: string) => ({ raw, headers: { 'content-type': 'application/x-www-form-urlencoded' } });

  /** A contact on lists alpha and beta, known to the unsubscribe service's page. */
  const createOnAlphaBeta = async (email: string) => {
    const created = await upsert({ email, lawfulBasis: 'consent', consent: CONSENT, lists: ['alpha', 'beta'] });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await waitFor(
      async () =>
        (await adminQuery('NA', 'SELECT 1 FROM unsubscribe_contacts WHERE contact_id = $1', [id])).length === 1,
      // The first contact may wait for the consumer group to settle (other suites share the broker).
      { what: 'the unsubscribe projection', timeoutMs: 60000 },
    );
    return id;
  };

  it('R-U4: a list left on the preferences page stays left through an upsert, an import and PATCH; a resubscribe brings it back', async () => {
    const email = `left-${randomUUID().slice(0, 8)}@example.com`;
    const id = await createOnAlphaBeta(email);
    const left = await http('POST', url(`/u/${unsubscribeToken(id)}/preferences`), form('leave=beta'));
    expect(left.status).toBe(200);
    await waitFor(async () => (await getContact(id)).lists.join() === 'alpha', {
      what: 'the contacts service to apply the list opt-out',
      timeoutMs: 30000,
    });

    // The tenant's next upsert names both lists: the other fields change, beta stays off.
    const upserted = await upsert({
      email,
      firstName: 'Ann',
      lawfulBasis: 'consent',
      consent: CONSENT,
      lists: ['alpha', 'beta'],
    });
    expect(upserted.status).toBe(200);
    expect(upserted.body).toMatchObject({ firstName: 'Ann', lists: ['alpha'], status: 'active' });

    // An import with that list: the row is written without beta and reported as kept off.
    const report = (await importFile(
      services,
      t,
      [
        'email,firstName,lawfulBasis,consent.givenAt,consent.source,lists',
        `${email},Anna,consent,${CONSENT.givenAt},${CONSENT.source},alpha;beta`,
        `other-${randomUUID().slice(0, 8)}@example.com,Bo,consent,${CONSENT.givenAt},${CONSENT.source},alpha;beta`,
      ].join('\n'),
    )) as KeptOffReport;
    expect(report).toMatchObject({ status: 'done', total: 2, created: 1, updated: 1, rejected: 0, keptOff: 1 });
    expect(report.keptOffRows).toEqual([{ row: 2, field: 'lists', reason: 'list opt-out: beta' }]);
    expect(await getContact(id)).toMatchObject({ firstName: 'Anna', lists: ['alpha'] });

    // The same file again: nothing changes, and the row is still reported kept off.
    const again = (await importFile(
      services,
      t,
      [
        'email,firstName,lawfulBasis,consent.givenAt,consent.source,lists',
        `${email},Anna,consent,${CONSENT.givenAt},${CONSENT.source},alpha;beta`,
      ].join('\n'),
    )) as KeptOffReport;
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 1, keptOff: 1 });

    // PATCH cannot re-add it either.
    const patched = await http<Contact>('PATCH', url(`/v1/contacts/${id}`), {
      token: t.apiKey,
      body: { lists: ['alpha', 'beta', 'gamma'] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.lists).toEqual(['alpha', 'gamma']);

    // Only a resubscribe with a new consent record does.
    expect((await resubscribe(id, { lists: ['beta'] })).status).toBe(400);
    const back = await resubscribe(id, {
      consent: { givenAt: '2026-01-05T08:00:00Z', source: 'preference-centre', ip: '198.51.100.23' },
      lists: ['beta'],
    });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ status: 'active', lists: ['alpha', 'gamma', 'beta'] });
    const grants = await adminQuery<{ source: string; ip: string | null }>(
      'NA',
      `SELECT source, ip FROM consents WHERE tenant_id = $1 AND contact_id = $2 AND kind = 'grant' ORDER BY id`,
      [t.tenant.id, id],
    );
    expect(grants.at(-1)).toEqual({ source: 'preference-centre', ip: '198.51.100.0' });
    await waitFor(async () => (await projection(id))?.lists.includes('beta') === true, {
      what: 'the campaigns projection to see the resubscribe',
      timeoutMs: 30000,
    });
    // From now on beta is an ordinary list again.
    const rejoined = await upsert({ email, lawfulBasis: 'consent', consent: CONSENT, lists: ['alpha', 'beta'] });
    expect(rejoined.body.lists).toEqual(['alpha', 'beta']);
  });

  it('R-U4: a full opt-out survives an upsert; a resubscribe lifts it everywhere, and a later opt-out counts again', async () => {
    const email = `all-${randomUUID().slice(0, 8)}@example.com`;
    const id = await createOnAlphaBeta(email);
    const onOptOutSet = () => services.platform.redis.forRegion('NA').sismember(optOutSetKey('NA', t.tenant.id), id);
    const suppressed = async () =>
      (await adminQuery('NA', 'SELECT 1 FROM suppressions WHERE tenant_id = $1 AND email = $2', [t.tenant.id, email]))
        .length === 1;
    const oneClick = () => http('POST', url(`/u/${unsubscribeToken(id)}`), form('List-Unsubscribe=One-Click'));

    expect((await oneClick()).status).toBe(200);
    await waitFor(async () => (await getContact(id)).status === 'unsubscribed' && (await suppressed()), {
      what: 'the opt-out to reach the contacts service',
      timeoutMs: 30000,
    });
    const upserted = await upsert({ email, lawfulBasis: 'consent', consent: CONSENT, lists: ['alpha', 'beta'] });
    expect(upserted.body.status).toBe('unsubscribed');

    const back = await resubscribe(id, { consent: { givenAt: '2026-01-06T08:00:00Z', source: 'web-form' } });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ status: 'active', lists: ['alpha', 'beta'] });
    expect(await suppressed()).toBe(false);
    expect(await onOptOutSet()).toBe(0);
    await waitFor(async () => (await projection(id))?.status === 'active', {
      what: 'the campaigns projection to see the resubscribe',
      timeoutMs: 30000,
    });

    // The person opts out again: recorded again, not taken for a repeat of the first.
    expect((await oneClick()).status).toBe(200);
    await waitFor(async () => (await getContact(id)).status === 'unsubscribed', {
      what: 'the second opt-out to reach the contacts service',
      timeoutMs: 30000,
    });
  });

  it('R-U4: a resubscribe needs a new, valid consent record; an unknown contact is 404', async () => {
    const email = `bad-${randomUUID().slice(0, 8)}@example.com`;
    const id = await createOnAlphaBeta(email);
    const same = await resubscribe(id, { consent: CONSENT });
    expect(same.status).toBe(400);
    const invalid = await resubscribe(id, { consent: { givenAt: 'yesterday' }, extra: 1 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.details!.map((d) => d.field)).toEqual(['extra']);
    const noSource = await resubscribe(id, { consent: { givenAt: '2026-01-06T08:00:00Z' } });
    expect(noSource.body.details!.map((d) => d.field)).toEqual(['consent.source']);
    expect((await resubscribe(randomUUID(), { consent: CONSENT })).status).toBe(404);
  });
});
