import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { configWith, type MissiveConfig } from '@missive/config';
import { startServices, type RunningServices, type ServiceDefinition } from '@missive/platform';

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
 * Starts services in this jest worker against the real stack, on free ports, with a consumer-group prefix of
 * their own so parallel test files never steal each other's events. `env` overrides configuration.
 */
export async function startTestServices(
  services: ServiceDefinition[],
  env: Record<string, string> = {},
): Promise<TestServices> {
  const config = configWith({
    PORT: '0',
    SUPPORT_PORT: '0',
    DEV_MAIL_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...env,
  });
  const running = await startServices(services, {
    config,
    groupPrefix: `test-${randomUUID().slice(0, 8)}`,
    devMailSink: false,
  });
  return { ...running, config, publicUrl: urlOf(running.publicApp), supportUrl: urlOf(running.supportApp) };
}
