import { type ArgumentsHost, BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { createLogger } from '@missive/observability';
import { InvalidInputError, NotFoundError } from './domain-error';
import { MissiveExceptionFilter, sendRouterError } from './exception.filter';

function fakeReply() {
  const sent: { status?: number; body?: unknown } = {};
  const reply = {
    status(code: number) {
      sent.status = code;
      return reply;
    },
    header() {
      return reply;
    },
    send(body: unknown) {
      sent.body = body;
      return reply;
    },
  };
  return { sent, reply };
}

function capture(exception: unknown) {
  const { sent, reply } = fakeReply();
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  new MissiveExceptionFilter(createLogger({ level: 'silent' })).catch(exception, host);
  return sent;
}

describe('MissiveExceptionFilter (R-X2: {error, message, details[]}, no stack traces)', () => {
  it('R-X2: domain errors keep their code, status and details', () => {
    expect(
      capture(new InvalidInputError('Invalid input: email', [{ field: 'email', reason: 'not an address' }])),
    ).toEqual({
      status: 400,
      body: {
        error: 'invalid_input',
        message: 'Invalid input: email',
        details: [{ field: 'email', reason: 'not an address' }],
      },
    });
    expect(capture(new NotFoundError('Contact'))).toEqual({
      status: 404,
      body: { error: 'not_found', message: 'Contact not found', details: [] },
    });
  });

  it('R-X2: an oversized or malformed body names the body', () => {
    const fastify413 = Object.assign(new Error('Request body is too large'), {
      statusCode: 413,
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    });
    expect(capture(fastify413)).toEqual({
      status: 413,
      body: {
        error: 'payload_too_large',
        message: 'request body is larger than this route accepts',
        details: [{ field: 'body', reason: 'request body is larger than this route accepts' }],
      },
    });
    const badJson = Object.assign(new SyntaxError('Unexpected token } in JSON'), {
      statusCode: 400,
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
    });
    expect(capture(badJson).body).toMatchObject({ error: 'bad_request', details: [{ field: 'body' }] });
    expect(capture(new PayloadTooLargeException()).status).toBe(413);
    expect(capture(new BadRequestException('Validation failed (uuid is expected)')).body).toEqual({
      error: 'bad_request',
      message: 'Validation failed (uuid is expected)',
      details: [],
    });
  });

  it('R-X2: anything unexpected is an opaque 500 without the error text', () => {
    expect(capture(new Error('connection to 10.0.0.5 failed for jane@example.com'))).toEqual({
      status: 500,
      body: { error: 'internal_error', message: 'An unexpected error occurred', details: [] },
    });
  });

  it('R-X2: a URL the router refuses before Nest (bad percent-encoding, an over-long parameter) has the same shape', () => {
    const refused = (code: string, statusCode: number) => {
      const { sent, reply } = fakeReply();
      const error = Object.assign(new Error(`'/v1/contacts/%80' is not valid`), { code, statusCode }) as FastifyError;
      sendRouterError(error, {} as FastifyRequest, reply as unknown as FastifyReply);
      return sent;
    };
    expect(refused('FST_ERR_BAD_URL', 400)).toEqual({
      status: 400,
      body: {
        error: 'bad_request',
        message: 'The URL is not valid percent-encoding',
        details: [{ field: 'url', reason: 'is not valid percent-encoding' }],
      },
    });
    expect(refused('FST_ERR_MAX_PARAM_LENGTH', 414).body).toMatchObject({
      error: 'uri_too_long',
      details: [{ field: 'url' }],
    });
  });
});
