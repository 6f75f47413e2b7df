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
import { EventTap } from './event-tap';

describe('suppressions API (R-U5, R-C7)', () => {
  let services: TestServices;
  let na: TestTenant;
  let other: TestTenant;
  let tap: EventTap;
  const url = () => `${services.publicUrl}/v1/suppressions`;

  beforeAll(async () => {
    services = await startTestServices([contactsService, supportService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    });
    [na, other] = await Promise.all([
      createTestTenant(services, { region: 'NA' }),
      createTestTenant(services, { region: 'NA' }),
    ]);
    tap = new EventTap(services.config.kafka.brokers.NA, new Set([na.tenant.id]));
    await tap.start('NA', ['suppression.changed']);
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
});
