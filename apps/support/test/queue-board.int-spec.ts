import { adminQuery, startTestServices, TEST_BOOTSTRAP_TOKEN, type TestServices } from '@missive/testing';
import { supportService } from '../src/service';

describe('the queue board on the support listener (issue 10)', () => {
  let services: TestServices;

  beforeAll(async () => {
    services = await startTestServices([supportService], { SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN });
  });

  afterAll(async () => {
    await services?.stop();
  });

  it('R-A1: without a staff token it answers 401 with a login prompt; a wrong token is refused too', async () => {
    const anonymous = await fetch(`${services.supportUrl}/internal/queues`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="Missive queues"/);
    const wrong = await fetch(`${services.supportUrl}/internal/queues/api/queues`, {
      headers: { authorization: 'Bearer st_not-a-real-token-0000000000000000000000' },
    });
    expect(wrong.status).toBe(401);
  });

  it('R-A3: a staff member logs in with the token as Basic password; the page load is audited', async () => {
    const basic = `Basic ${Buffer.from(`support:${TEST_BOOTSTRAP_TOKEN}`).toString('base64')}`;
    const page = await fetch(`${services.supportUrl}/internal/queues`, { headers: { authorization: basic } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const [entry] = await adminQuery<{ actor: string }>(
      'global',
      `SELECT actor FROM audit_log WHERE action = 'GET /internal/queues' ORDER BY id DESC LIMIT 1`,
    );
    expect(entry.actor).toMatch(/bootstrap/);
  });

  it('lists each served region’s queues, read-only', async () => {
    const res = await fetch(`${services.supportUrl}/internal/queues/api/queues`, {
      headers: { authorization: `Bearer ${TEST_BOOTSTRAP_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual([
      'eea:campaign-send',
      'eea:contacts-import',
      'eea:contacts-webhooks',
      'na:campaign-send',
      'na:contacts-import',
      'na:contacts-webhooks',
    ]);
    expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);
  });

  it('R-A1: the board never exists on the public port', async () => {
    const res = await fetch(`${services.publicUrl}/internal/queues`, {
      headers: { authorization: `Bearer ${TEST_BOOTSTRAP_TOKEN}` },
    });
    expect(res.status).toBe(404);
  });
});
