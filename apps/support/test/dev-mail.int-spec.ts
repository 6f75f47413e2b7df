import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createTransport } from 'nodemailer';
import { configWith, type MissiveConfig } from '@missive/config';
import { startServices, type RunningServices } from '@missive/platform';
import { adminQuery, http, TEST_BOOTSTRAP_TOKEN } from '@missive/testing';
import { supportService } from '../src/service';

/** The support service as `npm start` runs it: the dev mail sink on (tests' own harness turns it off). */
async function startWithSink(overrides: Partial<MissiveConfig> = {}): Promise<RunningServices & { url: string }> {
  const namespace = `test-${randomUUID().slice(0, 8)}`;
  const config = configWith({
    QUEUE_NAMESPACE: namespace,
    PORT: '0',
    SUPPORT_PORT: '0',
    DEV_MAIL_PORT: '0',
    LOG_LEVEL: 'warn',
    SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    SMTP_URL: '',
    SMTP_URL_NA: '',
    SMTP_URL_EEA: '',
  });
  const running = await startServices([supportService], {
    config: { ...config, ...overrides } as MissiveConfig,
    groupPrefix: namespace,
    startAtLatest: true,
  });
  const { port } = running.supportApp!.getHttpServer().address() as AddressInfo;
  return { ...running, url: `http://127.0.0.1:${port}` };
}

describe('R-X2: the dev mail routes need a staff token and do not exist in production', () => {
  let dev: RunningServices & { url: string };
  let messageId: string;
  const staff = { token: TEST_BOOTSTRAP_TOKEN };

  beforeAll(async () => {
    dev = await startWithSink();
    const transport = createTransport({ host: '127.0.0.1', port: dev.mailSink!.port, secure: false });
    await transport.sendMail({
      from: 'sender@example.com',
      to: 'person@example.com',
      subject: 'dev mail probe',
      text: 'hello',
    });
    transport.close();
    messageId = dev.mailSink!.list()[0].id;
  }, 60000);

  afterAll(async () => {
    await dev?.stop();
  });

  it('R-A1: GET /dev/mail and /dev/mail/{id} answer 401 without a staff token, and to a wrong one', async () => {
    for (const path of ['/dev/mail', `/dev/mail/${messageId}`]) {
      const anonymous = await http('GET', `${dev.url}${path}`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.text).not.toContain('person@example.com');
      const wrong = await http('GET', `${dev.url}${path}`, { token: 'st_not-a-real-token-0000000000000000000000' });
      expect(wrong.status).toBe(401);
    }
  });

  it('R-A3: staff read the list and the message, and each read is audited', async () => {
    const [{ last }] = await adminQuery<{ last: string }>(
      'global',
      'SELECT COALESCE(max(id), 0) AS last FROM audit_log',
    );
    const list = await http('GET', `${dev.url}/dev/mail`, staff);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ id: messageId, subject: 'dev mail probe' })]);
    const one = await http('GET', `${dev.url}/dev/mail/${messageId}`, staff);
    expect(one.status).toBe(200);
    expect(one.text).toContain('To: person@example.com');
    const audited = await adminQuery<{ action: string }>(
      'global',
      `SELECT action FROM audit_log WHERE id > $1 AND action LIKE 'GET /dev/mail%' AND actor LIKE '%bootstrap%'
        ORDER BY id`,
      [last],
    );
    expect(audited).toEqual([{ action: 'GET /dev/mail' }, { action: 'GET /dev/mail/:id' }]);
  });

  it('R-X2: in production no sink runs and /dev/mail is not mounted', async () => {
    const production = await startWithSink({ production: true, nodeEnv: 'production' });
    try {
      expect(production.mailSink).toBeNull();
      for (const path of ['/dev/mail', `/dev/mail/${messageId}`]) {
        expect((await http('GET', `${production.url}${path}`, staff)).status).toBe(404);
      }
    } finally {
      await production.stop();
    }
  }, 60000);
});
