import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@missive/observability';
import { DomainError, type ErrorDetail } from './domain-error';

interface ErrorBody {
  error: string;
  message: string;
  details: ErrorDetail[];
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
};

/** Fastify's own errors (body too large, bad JSON, wrong content type) carry a statusCode and an FST_ code. */
function frameworkError(exception: unknown): { status: number; message: string } | null {
  const e = exception as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof e?.statusCode === 'number' && typeof e.code === 'string' && e.code.startsWith('FST_')) {
    return { status: e.statusCode, message: String(e.message) };
  }
  return null;
}

/**
 * Every error leaves as `{error, message, details[]}` (API.md, R-X2): domain errors with their code, Nest and
 * Fastify errors by status, anything else as an opaque 500 — never a stack trace or personal data.
 */
@Catch()
export class MissiveExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = this.toBody(exception);
    if (status >= 500) this.logger.error({ err: exception }, 'unhandled error');
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  private toBody(exception: unknown): { status: number; body: ErrorBody } {
    if (exception instanceof DomainError) {
      return {
        status: exception.status,
        body: { error: exception.code, message: exception.message, details: exception.details },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : String((response as { message?: unknown }).message ?? exception.message);
      return { status, body: { error: STATUS_CODES[status] ?? 'error', message, details: [] } };
    }
    const framework = frameworkError(exception);
    if (framework) {
      const reason = framework.status === 413 ? 'request body is larger than this route accepts' : framework.message;
      return {
        status: framework.status,
        body: {
          error: STATUS_CODES[framework.status] ?? 'bad_request',
          message: reason,
          details: [{ field: 'body', reason }],
        },
      };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { error: 'internal_error', message: 'An unexpected error occurred', details: [] },
    };
  }
}

/** Why the router refused a URL, by Fastify's error code. */
const ROUTER_URL_REASONS: Record<string, string> = {
  FST_ERR_BAD_URL: 'is not valid percent-encoding',
  FST_ERR_MAX_PARAM_LENGTH: 'has a path segment longer than any route takes',
};

/**
 * The listeners' `frameworkErrors` hook. Fastify's router refuses a URL it cannot route (`/v1/contacts/%80`, an
 * over-long parameter) before any Nest code runs, so the filter above never sees it and Fastify would answer its own
 * `{error, code, message, statusCode}`: this gives those answers the API's shape (R-X2).
 */
export function sendRouterError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? HttpStatus.INTERNAL_SERVER_ERROR;
  const reason = ROUTER_URL_REASONS[error.code];
  const body: ErrorBody = reason
    ? {
        error: STATUS_CODES[status] ?? 'bad_request',
        message: `The URL ${reason}`,
        details: [{ field: 'url', reason }],
      }
    : { error: 'internal_error', message: 'An unexpected error occurred', details: [] };
  void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
}
