import { classifySmtpError, noDelaySocket, smtpFailureFacts } from './smtp-sender';

describe('classifySmtpError (R-S5, R-S6)', () => {
  it("R-S5: reads the stage and the reply off nodemailer's error, not the first digit alone", () => {
    const auth = Object.assign(new Error('Invalid login: 535 5.7.8 Authentication credentials invalid'), {
      code: 'EAUTH',
      command: 'AUTH PLAIN',
      responseCode: 535,
      response: '535 5.7.8 Authentication credentials invalid',
    });
    expect(smtpFailureFacts(auth)).toEqual({
      stage: 'auth',
      replyCode: 535,
      response: '535 5.7.8 Authentication credentials invalid',
      beforeMessage: true,
      errorCode: 'EAUTH',
    });
    expect(classifySmtpError(auth).kind).toBe('relay-failure');
    const rcpt = Object.assign(new Error('Recipient command failed'), {
      code: 'EENVELOPE',
      command: 'RCPT TO',
      responseCode: 550,
      response: '550 5.1.1 user unknown',
    });
    expect(classifySmtpError(rcpt)).toEqual({ kind: 'hard-bounce', status: '5.1.1', reason: '550 5.1.1 user unknown' });
    expect(
      classifySmtpError(
        Object.assign(new Error('Mail command failed'), { command: 'MAIL FROM', responseCode: 550, response: '550 x' }),
      ).kind,
    ).toBe('relay-failure');
    expect(
      classifySmtpError(Object.assign(new Error('later'), { command: 'RCPT TO', responseCode: 451, response: '451 x' }))
        .kind,
    ).toBe('transient');
  });

  it('R-S6: a connection lost mid-dialogue is unknown (never resent); a relay that cannot be reached is a relay failure', async () => {
    expect(
      classifySmtpError(
        Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION', command: 'CONN' }),
      ),
    ).toMatchObject({ kind: 'unknown' });
    const refused = await new Promise<Error | null>((resolve) =>
      noDelaySocket({ host: '127.0.0.1', port: 1 }, resolve),
    );
    expect(classifySmtpError(refused)).toMatchObject({ kind: 'relay-failure' });
  });

  it("R-X2: a socket error's reason is its code, never Node's message with the relay's address", async () => {
    const refused = await new Promise<Error | null>((resolve) =>
      noDelaySocket({ host: '127.0.0.1', port: 1 }, resolve),
    );
    expect(classifySmtpError(refused)).toEqual({
      kind: 'relay-failure',
      status: null,
      reason: 'ECONNREFUSED: the relay could not be reached',
    });
  });
});
