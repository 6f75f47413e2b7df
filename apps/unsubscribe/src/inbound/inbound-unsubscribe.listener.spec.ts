import { connect } from 'node:net';
import nodemailer from 'nodemailer';
import { InboundUnsubscribeListener, tokenFromRecipient } from './inbound-unsubscribe.listener';

const VALID = 'A'.repeat(94);

describe('inbound unsubscribe listener over real SMTP (R-U3)', () => {
  const optOuts: string[] = [];
  let failNext = false;
  const listener = new InboundUnsubscribeListener<string>({
    port: 0,
    host: '127.0.0.1',
    verify: (token) => (token === VALID ? 'claims-of-valid' : null),
    optOut: async (claims) => {
      if (failNext) {
        failNext = false;
        throw new Error('database down');
      }
      optOuts.push(claims);
    },
  });
  let port: number;

  beforeAll(async () => {
    port = await listener.start();
  });
  afterAll(() => listener.stop());

  const send = (to: string) =>
    nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true }).sendMail({
      from: 'someone@example.org',
      to,
      subject: 'unsubscribe',
      text: 'please remove me, my phone is 555-0100',
    });

  it('R-U3: mail to unsubscribe+{valid token}@… is accepted and opts out', async () => {
    const info = await send(`unsubscribe+${VALID}@links.example`);
    expect(info.accepted).toEqual([`unsubscribe+${VALID}@links.example`]);
    expect(optOuts).toEqual(['claims-of-valid']);
  });

  it('R-U3: anything else is refused at RCPT and changes nothing', async () => {
    await expect(send(`unsubscribe+${'B'.repeat(94)}@links.example`)).rejects.toMatchObject({ responseCode: 550 });
    await expect(send('postmaster@links.example')).rejects.toMatchObject({ responseCode: 550 });
    expect(optOuts).toEqual(['claims-of-valid']);
  });

  it('R-U3: the sender gets a temporary failure (and retries) when the opt-out could not be stored', async () => {
    failNext = true;
    await expect(send(`unsubscribe+${VALID}@links.example`)).rejects.toMatchObject({ responseCode: 451 });
  });

  it('R-U3: parses only the unsubscribe+token local part', () => {
    expect(tokenFromRecipient(`unsubscribe+${VALID}@x.example`)).toBe(VALID);
    expect(tokenFromRecipient(`Unsubscribe+${VALID}@x.example`)).toBeNull();
    expect(tokenFromRecipient(`unsubscribe+short@x.example`)).toBeNull();
  });
});

describe('inbound unsubscribe listener: clients and idle connections are bounded (R-X6)', () => {
  const listener = new InboundUnsubscribeListener<string>({
    port: 0,
    host: '127.0.0.1',
    verify: () => null,
    optOut: async () => undefined,
    limits: { maxClients: 2, socketTimeoutMs: 300 },
  });
  let port: number;

  beforeAll(async () => {
    port = await listener.start();
  });
  afterAll(() => listener.stop());

  /** Connects and collects what the server says until it closes the connection (or `closeAfterMs` passes). */
  const connectAndListen = (closeAfterMs: number) => {
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    let said = '';
    socket.on('data', (chunk: string) => (said += chunk));
    const closed = new Promise<{ said: string; byServer: boolean }>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ said, byServer: false });
      }, closeAfterMs);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve({ said, byServer: true });
      });
    });
    const greeted = new Promise<void>((resolve) => socket.once('data', () => resolve()));
    return { closed, greeted };
  };

  it('a client past maxClients is answered 421 and closed; the first ones are greeted', async () => {
    const first = connectAndListen(1000);
    const second = connectAndListen(1000);
    await Promise.all([first.greeted, second.greeted]);
    const third = await connectAndListen(5000).closed;
    expect(third.byServer).toBe(true);
    expect(third.said).toMatch(/^421 /);
    expect((await first.closed).said).toMatch(/^220 /);
    expect((await second.closed).said).toMatch(/^220 /);
  });

  it('an idle connection is closed after socketTimeoutMs', async () => {
    const idle = await connectAndListen(5000).closed;
    expect(idle.byServer).toBe(true);
    expect(idle.said).toMatch(/^220 .*\r\n421 /s);
  });
});

describe('inbound unsubscribe listener: connections per client address are bounded (R-X6)', () => {
  const listener = new InboundUnsubscribeListener<string>({
    port: 0,
    host: '127.0.0.1',
    verify: () => null,
    optOut: async () => undefined,
    limits: { connectionsPerIpPerMinute: 3 },
  });
  let port: number;

  beforeAll(async () => {
    port = await listener.start();
  });
  afterAll(() => listener.stop());

  /** Connects, waits for the server's first answer, and quits. */
  const firstAnswer = () =>
    new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.setEncoding('utf8');
      socket.once('data', (said: string) => {
        socket.end('QUIT\r\n');
        resolve(said);
      });
      socket.on('error', () => resolve(''));
    });

  it('the connections past the address’s allowance for the minute are answered 421', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) answers.push(await firstAnswer());
    expect(answers.map((a) => a.slice(0, 3))).toEqual(['220', '220', '220', '421', '421']);
  });
});
