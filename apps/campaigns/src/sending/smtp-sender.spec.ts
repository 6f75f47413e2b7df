import { classifySmtpError, noDelaySocket } from './smtp-sender';

describe('classifySmtpError (R-S5, R-S6)', () => {
  it('R-S5: a 5xx reply is a hard bounce, a 4xx reply is retried', () => {
    expect(classifySmtpError(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }))).toMatchObject({
      kind: 'bounce',
    });
    expect(classifySmtpError(Object.assign(new Error('try again later'), { responseCode: 451 }))).toMatchObject({
      kind: 'transient',
    });
  });

  it('R-S6: a connection lost mid-dialogue is unknown (never resent); a relay that cannot be reached is retried', async () => {
    expect(
      classifySmtpError(Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' })),
    ).toMatchObject({ kind: 'unknown' });
    const refused = await new Promise<Error | null>((resolve) =>
      noDelaySocket({ host: '127.0.0.1', port: 1 }, resolve),
    );
    expect(classifySmtpError(refused)).toMatchObject({ kind: 'transient' });
  });

  it("R-X2: a socket error's reason is its code, never Node's message with the relay's address", async () => {
    const refused = await new Promise<Error | null>((resolve) =>
      noDelaySocket({ host: '127.0.0.1', port: 1 }, resolve),
    );
    expect(classifySmtpError(refused)).toEqual({
      kind: 'transient',
      reason: 'ECONNREFUSED: the relay could not be reached',
    });
  });
});
