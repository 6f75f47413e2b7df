// The attacks of issue 27 (R-X6), each bounded in count and time and sent only to the host on 127.0.0.1. Each
// returns what it saw, for the suite to check; none of them waits on the host longer than it must.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { http, waitFor, type TestTenant } from '@missive/testing';
import { SmtpWire } from '../../apps/unsubscribe/test/smtp-wire';
import type { AbuseHost } from './abuse-host';

const CSV_HEADER = 'email,firstName,lawfulBasis';
/** Nested loops: a billion iterations if nothing stopped them. */
export const NESTED_LOOPS =
  '{% for a in (1..1000) %}{% for b in (1..1000) %}{% for c in (1..1000) %}x{% endfor %}{% endfor %}{% endfor %}';

export interface AttackContext {
  host: AbuseHost;
  attacker: TestTenant;
  /** The attacker's contacts (on list `abuse`), for tokens that name a real contact. */
  contactIds: string[];
}

const api = (ctx: AttackContext, method: string, path: string, body?: unknown) =>
  http(method, `${ctx.host.host.publicUrl}${path}`, { token: ctx.attacker.apiKey, body });

/** The attacker's contacts, and a first campaign for the pixel and unsubscribe tokens; once the projection has them. */
export async function prepareAttacker(host: AbuseHost, attacker: TestTenant): Promise<AttackContext> {
  const contactIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await http('POST', `${host.host.publicUrl}/v1/contacts`, {
      token: attacker.apiKey,
      body: { email: `attacker-${i}-${host.uid}@example.com`, lawfulBasis: 'contract', lists: ['abuse'] },
    });
    if (res.status !== 201) throw new Error(`seeding the attacker: ${res.status} ${res.text}`);
    contactIds.push(res.body.id);
  }
  const ctx = { host, attacker, contactIds };
  await waitFor(
    async () =>
      (
        await api(ctx, 'POST', '/v1/campaigns', {
          name: 'probe',
          subject: 'probe',
          fromEmail: 'probe@attacker.example',
          html: '<p>probe</p>',
          audience: { lists: ['abuse'] },
        })
      ).status === 201,
    { what: 'the attacker’s list in the campaigns projection', timeoutMs: 30000, intervalMs: 250 },
  );
  return ctx;
}

/** 100 KB of `<a` as a campaign's HTML (quadratic for a regex; linear for a tokenizer). */
export async function quadraticHtmlAtCreation(ctx: AttackContext): Promise<{ status: number }> {
  const res = await api(ctx, 'POST', '/v1/campaigns', {
    name: 'a-flood',
    subject: 'x',
    fromEmail: 'a@attacker.example',
    html: '<a'.repeat(50_000),
    audience: { lists: ['abuse'] },
  });
  return { status: res.status };
}

/** 64 KB of `<` sent to the attacker's contacts: every message's text part is made from it. */
export async function quadraticHtmlAtSend(ctx: AttackContext): Promise<{ created: number; status: string }> {
  const created = await api(ctx, 'POST', '/v1/campaigns', {
    name: 'lt-flood',
    subject: 'x',
    fromEmail: 'lt@attacker.example',
    html: `<p>hello</p>${'<'.repeat(64 * 1024)}`,
    audience: { lists: ['abuse'] },
  });
  if (created.status !== 201) return { created: created.status, status: 'not created' };
  await api(ctx, 'POST', `/v1/campaigns/${created.body.id}/send`);
  const done = await waitFor(
    async () => {
      const status = (await api(ctx, 'GET', `/v1/campaigns/${created.body.id}`)).body.status as string;
      return status === 'sent' || status === 'paused' ? status : null;
    },
    { what: 'the <-flood campaign to end', timeoutMs: 30000, intervalMs: 200 },
  );
  return { created: created.status, status: done };
}

export async function nestedLoops(ctx: AttackContext): Promise<{ status: number; fields: string[] }> {
  const res = await api(ctx, 'POST', '/v1/campaigns', {
    name: 'loops',
    subject: 'x',
    fromEmail: 'l@attacker.example',
    html: `<p>hi</p>${NESTED_LOOPS}`,
    audience: { lists: ['abuse'] },
  });
  return { status: res.status, fields: (res.body?.details ?? []).map((d: { field: string }) => d.field) };
}

/** 12 suppression uploads that send their headers and one line, then wait (held `holdMs`, then dropped). */
export async function trickledUploads(ctx: AttackContext, holdMs: number): Promise<{ opened: number }> {
  const url = new URL(ctx.host.host.publicUrl);
  const sockets: Socket[] = [];
  for (let i = 0; i < 12; i++) {
    const socket = connect(Number(url.port), '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /v1/suppressions/imports HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${ctx.attacker.apiKey}\r\n` +
        'Content-Type: text/csv\r\nContent-Length: 1000000\r\n\r\nemail\nfirst@example.com\n',
    );
    sockets.push(socket);
  }
  await new Promise((r) => setTimeout(r, holdMs));
  for (const socket of sockets) socket.destroy();
  return { opened: sockets.length };
}

/**
 * 60,000 `RCPT TO:<unsubscribe+{token}…@…>` on one connection, pipelined in chunks: a valid token with a different
 * suffix each time, so every recipient is a new one to the listener.
 */
export async function rcptFlood(ctx: AttackContext, count = 60_000): Promise<{ accepted: number; refused: number }> {
  const token = ctx.host.signer.mint({
    kind: 'unsubscribe',
    tenantId: ctx.attacker.tenant.id,
    region: 'NA',
    campaignId: null,
    contactId: ctx.contactIds[0],
  });
  const wire = await SmtpWire.open(ctx.host.host.inboundSmtpPort);
  let accepted = 0;
  let refused = 0;
  try {
    await wire.read(1);
    await wire.send('EHLO attacker.example', 'MAIL FROM:<a@attacker.example>');
    const chunk = 1000;
    for (let sent = 0; sent < count && !wire.closed; sent += chunk) {
      const answers = await wire.send(
        ...Array.from(
          { length: Math.min(chunk, count - sent) },
          (_, i) => `RCPT TO:<unsubscribe+${token}${sent + i}@links.abuse.test>`,
        ),
      );
      for (const a of answers) {
        if (a.startsWith('250')) accepted++;
        else refused++;
      }
    }
  } finally {
    wire.close();
  }
  return { accepted, refused };
}

/** 200 connections replaying one open token, `perConnection` times each. */
export async function pixelReplay(
  ctx: AttackContext,
  campaignId: string,
  perConnection = 10,
): Promise<{ requests: number; gifs: number }> {
  const token = ctx.host.signer.mint({
    kind: 'open',
    tenantId: ctx.attacker.tenant.id,
    region: 'NA',
    campaignId,
    contactId: ctx.contactIds[1],
  });
  const url = `${ctx.host.host.publicUrl}/t/o/${token}`;
  let requests = 0;
  let gifs = 0;
  await Promise.all(
    Array.from({ length: 200 }, async () => {
      for (let i = 0; i < perConnection; i++) {
        const res = await fetch(url, {
          headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0' },
        }).catch(() => null);
        requests++;
        if (res?.status === 200 && res.headers.get('content-type') === 'image/gif') gifs++;
        await res?.arrayBuffer().catch(() => undefined);
      }
    }),
  );
  return { requests, gifs };
}

/** Random well-formed `mk_` keys, 50 at a time. */
export async function randomKeys(ctx: AttackContext, count = 10_000): Promise<{ statuses: Record<number, number> }> {
  const statuses: Record<number, number> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < count) {
        next++;
        const key = `mk_${randomBytes(32).toString('base64url')}`;
        const res = await fetch(`${ctx.host.host.publicUrl}/v1/contacts?email=x%40example.com`, {
          headers: { authorization: `Bearer ${key}` },
        }).catch(() => null);
        const status = res?.status ?? 0;
        statuses[status] = (statuses[status] ?? 0) + 1;
        await res?.arrayBuffer().catch(() => undefined);
      }
    }),
  );
  return { statuses };
}

/**
 * A 10 MB JSON body announced to a route whose limit is 1 MB: the headers and the first 64 KB are sent, and the
 * answer is read as the server gives it (it need not read the rest).
 */
export async function hugeBody(ctx: AttackContext): Promise<{ status: number }> {
  const url = new URL(ctx.host.host.publicUrl);
  const socket = connect(Number(url.port), '127.0.0.1');
  socket.on('error', () => undefined);
  try {
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const answer = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.includes('\r\n')) resolve(text);
      });
      socket.on('close', () => resolve(text));
    });
    socket.write(
      `POST /v1/contacts HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${ctx.attacker.apiKey}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n{"firstName":"${'x'.repeat(64 * 1024)}`,
    );
    const text = await Promise.race([answer, new Promise<string>((r) => setTimeout(() => r(''), 10000))]);
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0) };
  } finally {
    socket.destroy();
  }
}

/** A NUL in a field, and an import whose one row holds a NUL among good rows. */
export async function nulBytes(
  ctx: AttackContext,
): Promise<{ status: number; field: string | null; import: { created: number; rejected: number } }> {
  const res = await api(ctx, 'POST', '/v1/contacts', {
    email: `nul-${ctx.host.uid}@example.com`,
    firstName: 'Ad\u0000a',
    lawfulBasis: 'contract',
  });
  const csv =
    `${CSV_HEADER}\nrow1-${ctx.host.uid}@example.com,Ada,contract\nrow2-${ctx.host.uid}@example.com,Gr\u0000ace,contract\n` +
    `row3-${ctx.host.uid}@example.com,Alan,contract\n`;
  const accepted = await http('POST', `${ctx.host.host.publicUrl}/v1/imports`, {
    token: ctx.attacker.apiKey,
    headers: { 'content-type': 'text/csv' },
    raw: csv,
  });
  const report = await waitFor(
    async () => {
      const r = await api(ctx, 'GET', `/v1/imports/${accepted.body.id}`);
      return r.body.status === 'done' || r.body.status === 'failed' ? r.body : null;
    },
    { what: 'the NUL import to end', timeoutMs: 30000, intervalMs: 200 },
  );
  return {
    status: res.status,
    field: res.body?.details?.[0]?.field ?? null,
    import: { created: report.created, rejected: report.rejected },
  };
}
