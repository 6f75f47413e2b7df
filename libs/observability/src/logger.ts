import pino, { type Logger } from 'pino';
import type { LoggerService } from '@nestjs/common';
import { redactText, redactValue } from './redact';

export type { Logger };

/**
 * The process logger: JSON lines on stdout, every message and field redacted (R-X2). Header fields that carry
 * secrets are censored by path as well.
 */
export function createLogger(options: { level: string; name?: string }): Logger {
  return pino({
    level: options.level,
    name: options.name ?? 'missive',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.password', '*.token', '*.key'],
      censor: '[secret]',
    },
    hooks: {
      logMethod(args, method) {
        const cleaned = args.map((a) => (typeof a === 'string' ? redactText(a) : redactValue(a)));
        return method.apply(this, cleaned as Parameters<typeof method>);
      },
    },
  });
}

/** Nest's LoggerService on top of pino, so framework messages are JSON and redacted too. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
