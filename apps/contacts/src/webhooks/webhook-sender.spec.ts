import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postWebhook } from './webhook-sender';

/** A receiver on 127.0.0.1 answering as `handler` says; it records what it got. */
async function receiver(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const got: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { got, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const DEV = { production: false };

describe('R-X7: webhook sender', () => {
  it('R-X7: POSTs the body with the given headers and reports the status', async () => {
    const r = await receiver((_req, res) => res.writeHead(204).end());
    try {
      const result = await postWebhook(`http://127.0.0.1:${r.port}/in`, { 'webhook-id': 'msg_1' }, '{"a":1}', DEV);
      expect(result).toEqual({ status: 204 });
      expect(r.got[0].body).toBe('{"a":1}');
      expect(r.got[0].headers['webhook-id']).toBe('msg_1');
      expect(r.got[0].headers['content-type']).toBe('application/json');
    } finally {
      await r.close();
    }
  });

  it('R-X7: a name is resolved and connected to with its Host header (localhost, allowed outside production)', async () => {
    const r = await receiver((_req, res) => res.writeHead(200).end('ok'));
    try {
      const result = await postWebhook(`http://localhost:${r.port}/in`, {}, '{}', DEV);
      expect(result.status).toBe(200);
      expect(r.got[0].headers.host).toBe(`localhost:${r.port}`);
    } finally {
      await r.close();
    }
  });

  it('R-X7: the address a name resolves to is checked, and that address is the one connected to', async () => {
    const r = await receiver((_req, res) => res.writeHead(200).end());
    // A public-looking name whose DNS answers loopback (DNS rebinding, or a record pointed inwards).
    const rebinding = async () => [{ address: '127.0.0.1', family: 4 }];
    try {
      const prod = await postWebhook(`http://hooks.example.com:${r.port}/in`, {}, '{}', DEV, { resolve: rebinding });
      expect(prod.status).toBe(200); // outside production loopback is allowed: it went to 127.0.0.1 …
      expect(r.got[0].headers.host).toBe(`hooks.example.com:${r.port}`); // … with the name as Host
      const refused = await postWebhook(
        `https://hooks.example.com:${r.port}/in`,
        {},
        '{}',
        { production: true },
        {
          resolve: rebinding,
        },
      );
      expect(refused).toEqual({ status: null, error: 'the host resolves to a loopback address' });
      const internal = async () => [
        { address: '10.0.0.7', family: 4 },
        { address: 'fd00::7', family: 6 },
      ];
      const inside = await postWebhook(`http://hooks.example.com:${r.port}/in`, {}, '{}', DEV, { resolve: internal });
      expect(inside.error).toMatch(/^the host resolves to a private/);
      expect(r.got).toHaveLength(1);
      expect(await postWebhook(`https://localhost:${r.port}/in`, {}, '{}', { production: true })).toMatchObject({
        status: null,
        refused: true,
      });
    } finally {
      await r.close();
    }
  });

  it('R-X7: a 500 is reported as such; a slow endpoint times out; an endless answer is read only so far', async () => {
    const r = await receiver((req, res) => {
      if (req.url === '/fail') return res.writeHead(500).end('nope');
      if (req.url === '/slow') return; // never answers
      res.writeHead(200);
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const timer = setInterval(() => res.write(chunk), 1);
      res.on('close', () => clearInterval(timer));
    });
    try {
      expect(await postWebhook(`http://127.0.0.1:${r.port}/fail`, {}, '{}', DEV)).toEqual({ status: 500 });
      const slow = await postWebhook(`http://127.0.0.1:${r.port}/slow`, {}, '{}', DEV, { timeoutMs: 300 });
      expect(slow).toEqual({ status: null, error: 'no answer within 300 ms' });
      const started = Date.now();
      expect(await postWebhook(`http://127.0.0.1:${r.port}/endless`, {}, '{}', DEV, { timeoutMs: 5000 })).toEqual({
        status: 200,
      });
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      await r.close();
    }
  });

  it('R-X7: a refused URL is not retried, a connection failure is', async () => {
    expect(await postWebhook('ftp://example.com/x', {}, '{}', DEV)).toMatchObject({ refused: true });
    expect(await postWebhook('http://169.254.169.254/latest', {}, '{}', DEV)).toMatchObject({ refused: true });
    const closed = await postWebhook('http://127.0.0.1:1/in', {}, '{}', DEV);
    expect(closed).toEqual({ status: null, error: 'ECONNREFUSED' });
  });
});
