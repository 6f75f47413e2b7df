import Fastify from 'fastify';
import { registerTextBodyParsers } from './text-bodies';

async function appEchoingBody() {
  const app = Fastify();
  registerTextBodyParsers(app, 1024);
  app.post('/echo', async (request) => ({ body: request.body ?? null }));
  await app.ready();
  return app;
}

describe('registerTextBodyParsers', () => {
  it('takes an empty application/json body as no fields, for routes that take none (issue 23)', async () => {
    const app = await appEchoingBody();
    for (const payload of ['', '  \r\n']) {
      const res = await app.inject({
        method: 'POST',
        url: '/echo',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ body: {} });
    }
    await app.close();
  });

  it('still refuses JSON that does not parse, and NUL in a field (R-X6)', async () => {
    const app = await appEchoingBody();
    const broken = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(broken.statusCode).toBe(400);
    const nul = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":"x\\u0000"}',
    });
    expect(nul.statusCode).toBe(400);
    await app.close();
  });

  it('parses a JSON body as before', async () => {
    const app = await appEchoingBody();
    const res = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":[1]}',
    });
    expect(res.json()).toEqual({ body: { a: [1] } });
    await app.close();
  });
});
