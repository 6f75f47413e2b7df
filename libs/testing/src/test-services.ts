import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { configWith, type MissiveConfig } from '@missive/config';
import { startServices, type Clock, type RunningServices, type ServiceDefinition } from '@missive/platform';

export interface TestServices extends RunningServices {
  config: MissiveConfig;
  publicUrl: string;
  supportUrl: string;
}

function urlOf(app: INestApplication | null): string {
  if (!app) return '';
  const address = app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

/**
 * Starts services in this jest worker against the real stack, on free ports, with a namespace of their own for
 * Kafka consumer groups and BullMQ queues, so parallel test files never take each other's events or jobs. `env`
 * overrides configuration.
 */
export async function startTestServices(
  services: ServiceDefinition[],
  env: Record<string, string> = {},
  options: { clock?: Clock } = {},
): Promise<TestServices> {
  const namespace = `test-${randomUUID().slice(0, 8)}`;
  const config = configWith({
    QUEUE_NAMESPACE: namespace,
    PORT: '0',
    SUPPORT_PORT: '0',
    DEV_MAIL_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...env,
  });
  const running = await startServices(services, {
    config,
    groupPrefix: namespace,
    // A fresh group starts at the topics' current ends: no replay of what earlier runs left behind.
    startAtLatest: true,
    devMailSink: false,
    clock: options.clock,
  });
  return { ...running, config, publicUrl: urlOf(running.publicApp), supportUrl: urlOf(running.supportApp) };
}
