import {
  afterTransient,
  classifySmtpFailure,
  enhancedStatus,
  TRANSIENT_TRIES,
  type SmtpFailureFacts,
  type SmtpStage,
} from './smtp-outcome.rules';

const reply = (stage: SmtpStage, response: string): SmtpFailureFacts => ({
  stage,
  replyCode: Number(response.slice(0, 3)),
  response,
  beforeMessage: false,
  errorCode: 'EENVELOPE',
});
const kind = (stage: SmtpStage, response: string) => classifySmtpFailure(reply(stage, response)).kind;

describe('classifySmtpFailure (R-S5, R-S6)', () => {
  it('reads the RFC 3463 enhanced status code of single- and multi-line replies', () => {
    expect(enhancedStatus('550 5.1.1 <a@b.example>: Recipient address rejected')).toBe('5.1.1');
    expect(enhancedStatus('550-5.7.26 Unauthenticated email is not accepted')).toBe('5.7.26');
    expect(enhancedStatus('451 4.7.1 Greylisted')).toBe('4.7.1');
    expect(enhancedStatus('550 mailbox unavailable')).toBeNull();
    expect(enhancedStatus('550 5.1 not a code')).toBeNull();
    expect(enhancedStatus(null)).toBeNull();
  });

  it.each([
    ['rcpt', '550 5.1.1 <a@b.example>: user unknown'],
    ['rcpt', '550 5.1.2 bad destination system'],
    ['rcpt', '553 5.1.3 bad recipient address syntax'],
    ['rcpt', '550 5.1.10 null MX'],
    ['rcpt', '550 5.2.1 mailbox disabled'],
    ['rcpt', '550 5.4.4 unable to route'],
    ['data', '550 5.1.1 user unknown (after DATA)'],
    ['data', '554 5.2.1 mailbox disabled'],
    ['rcpt', '550 Requested action not taken: mailbox unavailable'],
    ['rcpt', '551 User not local'],
    ['rcpt', '553 mailbox name not allowed'],
  ] as const)('R-S5: %s %s → hard bounce (the recipient, permanently)', (stage, response) => {
    expect(kind(stage, response)).toBe('hard-bounce');
  });

  it('R-S5: the hard bounce carries the enhanced code for delivery.recorded', () => {
    expect(classifySmtpFailure(reply('rcpt', '550 5.1.1 user unknown'))).toEqual({
      kind: 'hard-bounce',
      status: '5.1.1',
      reason: '550 5.1.1 user unknown',
    });
  });

  it.each([
    ['auth', '535 5.7.8 Authentication credentials invalid'],
    ['auth', '530 5.7.0 Authentication required'],
    ['auth', '534 5.7.9 Authentication mechanism is too weak'],
    ['mail-from', '550 5.7.1 Sender policy violation'],
    ['mail-from', '553 5.1.8 Sender address rejected: domain not found'],
    ['mail-from', '554 Sender rejected'],
    ['connection', '554 No SMTP service here'],
    ['connection', '550 5.7.1 Client host rejected'],
    ['rcpt', '554 5.7.1 <a@b.example>: Relay access denied'],
    ['rcpt', '554 relay access denied'],
    ['rcpt', '550 5.7.1 Unable to relay'],
    ['rcpt', '550 relaying denied'],
    ['rcpt', '550 not permitted to relay'],
    ['rcpt', '530 5.7.0 Must issue a STARTTLS command first'],
    ['rcpt', '550 5.7.26 Unauthenticated email from shop.example is not accepted (DMARC)'],
    ['rcpt', '550 5.7.25 The IP address sending this message does not have a PTR record'],
    ['data', '550 5.7.23 SPF validation failed'],
    ['rcpt', '553 5.1.7 bad sender mailbox syntax'],
  ] as const)('R-S5: %s %s → relay failure (pause, suppress nobody)', (stage, response) => {
    expect(kind(stage, response)).toBe('relay-failure');
  });

  it.each([
    ['rcpt', '552 5.2.2 mailbox full'],
    ['rcpt', '552 Requested mail action aborted: exceeded storage allocation'],
  ] as const)('R-S5: %s %s → soft bounce (counted, 3 in 30 days suppress)', (stage, response) => {
    expect(kind(stage, response)).toBe('soft-bounce');
  });

  it.each([
    ['data', '552 5.3.4 Message size exceeds fixed limit'],
    ['data', '554 5.6.0 Message content rejected'],
    ['data', '550 5.7.1 Message rejected as spam'],
    ['rcpt', '550 5.7.1 Recipient rejected by policy'],
    ['rcpt', '554 Transaction failed'],
    ['data', '554 Transaction failed'],
    ['rcpt', '552 5.2.3 message too long'],
    ['unknown', '550 something at RSET'],
  ] as const)('R-S5: %s %s → this message failed (not resent, nobody suppressed, no pause)', (stage, response) => {
    expect(kind(stage, response)).toBe('failed');
  });

  it.each([
    ['rcpt', '451 4.7.1 Greylisted, try again later'],
    ['rcpt', '450 4.2.1 mailbox busy'],
    ['rcpt', '421 4.7.0 Too many connections, slow down'],
    ['data', '451 4.3.0 Local error in processing'],
    ['auth', '454 4.7.0 Temporary authentication failure'],
    ['mail-from', '452 4.3.1 Insufficient system storage'],
    ['connection', '421 Service not available'],
  ] as const)('R-S5: %s %s → transient (retried with backoff)', (stage, response) => {
    expect(kind(stage, response)).toBe('transient');
  });

  it('R-S10: a 421 or 451 for a recipient throttles its domain; other 4xx and relay-level 421 do not', () => {
    const throttle = (stage: SmtpStage, response: string) => {
      const failure = classifySmtpFailure(reply(stage, response));
      return failure.kind === 'transient' && failure.throttle;
    };
    expect(throttle('rcpt', '421 4.7.0 Too many connections from your IP')).toBe(true);
    expect(throttle('rcpt', '451 4.7.1 Greylisted')).toBe(true);
    expect(throttle('data', '451 4.3.0 Rate limited, slow down')).toBe(true);
    expect(throttle('rcpt', '450 4.2.1 mailbox busy')).toBe(false);
    expect(throttle('connection', '421 Service not available')).toBe(false);
    expect(throttle('mail-from', '451 4.3.0 temporary sender failure')).toBe(false);
  });

  it('R-S5: without a reply, a failure before the message is a relay failure', () => {
    const facts = { stage: 'connection', replyCode: null, response: null, beforeMessage: true } as const;
    expect(classifySmtpFailure({ ...facts, errorCode: 'ECONNREFUSED' })).toEqual({
      kind: 'relay-failure',
      status: null,
      reason: 'ECONNREFUSED: the relay could not be reached',
    });
    expect(classifySmtpFailure({ ...facts, errorCode: 'ETIMEDOUT' }).kind).toBe('relay-failure');
    expect(classifySmtpFailure({ ...facts, stage: 'auth', errorCode: 'EAUTH' })).toMatchObject({
      kind: 'relay-failure',
      reason: 'EAUTH: the relay refused the login',
    });
  });

  it('R-S6: without a reply, a break that may have followed the acceptance is unknown, never resent', () => {
    for (const stage of ['connection', 'data', 'unknown'] as const)
      expect(
        classifySmtpFailure({ stage, replyCode: null, response: null, beforeMessage: false, errorCode: 'ECONNECTION' }),
      ).toEqual({
        kind: 'unknown',
        status: null,
        reason: 'ECONNECTION: the connection to the relay ended before its answer',
      });
  });

  it('R-S5: a 4xx is retried until its last try, then it is a soft bounce', () => {
    const transient = classifySmtpFailure(reply('rcpt', '451 4.7.1 Greylisted'));
    if (transient.kind !== 'transient') throw new Error('expected transient');
    expect(afterTransient(transient, 1).kind).toBe('transient');
    expect(afterTransient(transient, TRANSIENT_TRIES - 1).kind).toBe('transient');
    expect(afterTransient(transient, TRANSIENT_TRIES)).toEqual({
      kind: 'soft-bounce',
      status: '4.7.1',
      reason: '451 4.7.1 Greylisted',
    });
  });

  it('the reason is the relay reply, at most 200 characters', () => {
    expect(classifySmtpFailure(reply('rcpt', `550 5.1.1 ${'x'.repeat(400)}`)).reason).toHaveLength(200);
  });
});
