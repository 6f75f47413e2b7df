import { logLevel } from 'kafkajs';

export type PinoLevel = 'error' | 'warn' | 'info' | 'debug';

const KAFKAJS_TO_PINO: Record<number, PinoLevel> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * Broker answers kafkajs logs as errors although they are the protocol working as designed: a heartbeat answered
 * "rebalancing" while a replica joins or leaves its group (every consumer of every group logs one per heartbeat).
 */
const ROUTINE_ERRORS = new Set(['The group is rebalancing, so a rejoin is needed']);

/** The level a kafkajs log entry is written at: its own, but debug for routine broker answers. */
export function kafkajsLogLevel(level: number, log: Record<string, unknown>): PinoLevel {
  if (typeof log.error === 'string' && ROUTINE_ERRORS.has(log.error)) return 'debug';
  return KAFKAJS_TO_PINO[level] ?? 'info';
}
