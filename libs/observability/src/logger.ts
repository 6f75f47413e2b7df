import pino, { type Logger } from 'pino';
import type { LoggerService } from '@nestjs/common';
import { redactText, redactValue } from './redact';

export type { Logger };

/**
 * Fields whose shape is known are censored whole by pino's compiled `redact` paths, whatever they hold: an address,
 * an IP or a secret under its own name never reaches the text scan.
 */
const REDACT_PATHS = [
  'email',
  '*.email',
  'ip',
  '*.ip',
  'remoteAddress',
  '*.remoteAddress',
  'token',
  '*.token',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  '*.key',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-forwarded-for"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-forwarded-for"]',
];

/**
 * The process logger: JSON lines on stdout, every message and field redacted (R-X2). Known fields are censored by
 * path; the message and every other string go through the linear-time text scan (redact.ts).
 */
export function createLogger(options: {
  level: string;
  name?: string;
  /** Where the lines go; stdout unless given (tests read the lines back). */
  destination?: pino.DestinationStream;
}): Logger {
  const settings: pino.LoggerOptions = {
    level: options.level,
    name: options.name ?? 'missive',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: REDACT_PATHS,
      censor: '[secret]',
    },
    hooks: {
      logMethod(args, method) {
        const cleaned = args.map((a) => (typeof a === 'string' ? redactText(a) : redactValue(a)));
        return method.apply(this, cleaned as Parameters<typeof method>);
      },
    },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
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
