import type { INestApplication, Type } from '@nestjs/common';
import cluster from 'node:cluster';
import { ConfigError, loadConfig, type MissiveConfig } from '@missive/config';
import { DevMailModule, DevMailSink } from '@missive/dev-mail';
import { createListenerApp } from './http-app';
import type { Clock } from './clock';
import { Platform } from './platform';
import { selectServices } from './select-services';
import type { ServiceDefinition } from './service-definition';
import { isSingleNodeWorker, reportToHost, shareMetricsWithHost, superviseWorkers } from './single-node-workers';

export interface RunningServices {
  platform: Platform;
  publicApp: INestApplication | null;
  supportApp: INestApplication | null;
  mailSink: DevMailSink | null;
  stop(): Promise<void>;
}

export interface StartOptions {
  config?: MissiveConfig;
  /** Consumer-group prefix (tests isolate themselves with their own). */
  groupPrefix?: string;
  /** New consumer groups start at the current ends of their topics (tests). */
  startAtLatest?: boolean;
  /** Start the dev mail sink when SMTP_URL is unset and this process hosts the support listener (default true). */
  devMailSink?: boolean;
  /** The processes' time (tests); default the wall clock. */
  clock?: Clock;
  /** Whether this process hosts the support listener (default true; the single-node host's other workers do not). */
  supportListener?: boolean;
}

/**
 * Starts the given services in this process: one Platform, a public listener if any service has public modules,
 * a support listener if any has support modules (support routes never exist on the public port). Single-node
 * mode passes every service; distributed mode passes one.
 */
export async function startServices(
  services: ServiceDefinition[],
  options: StartOptions = {},
): Promise<RunningServices> {
  const config = options.config ?? loadConfig();
  const entities = {
    global: [...new Set(services.flatMap((s) => s.entities?.global ?? []))],
    regional: [...new Set(services.flatMap((s) => s.entities?.regional ?? []))],
  };
  const platform = new Platform({
    config,
    entities,
    clock: options.clock,
  });
  await platform.start();
  let mailSink: DevMailSink | null = null;
  let publicApp: INestApplication | null = null;
  let supportApp: INestApplication | null = null;
  // Listeners and consumers first (stop taking work, finish in-flight), then relays and connections (R-X4). Each
  // step runs even if an earlier one failed: a half-stopped process must not keep relaying or consuming.
  const stopAll = async () => {
    const closed = await Promise.allSettled([publicApp?.close(), supportApp?.close(), mailSink?.stop()]);
    await platform.stop();
    const failed = closed.find((c): c is PromiseRejectedResult => c.status === 'rejected');
    if (failed) throw failed.reason;
  };
  try {
    const publicModules: Type[] = services.flatMap((s) => s.publicModules ?? []);
    const supportModules: Type[] =
      options.supportListener === false ? [] : services.flatMap((s) => s.supportModules ?? []);
    // The dev sink stands in for any served region without a relay of its own. It holds whole messages, so it
    // never runs in production, and its routes are staff routes like any other on the support port (R-X2).
    const needsSink = config.regions.some((region) => !config.smtp.urls[region]);
    const staffApi = services.find((s) => s.staffApi)?.staffApi;
    if (supportModules.length > 0 && needsSink && staffApi && !config.production && (options.devMailSink ?? true)) {
      mailSink = new DevMailSink({ port: config.smtp.devSinkPort });
      await mailSink.start();
      supportModules.push(DevMailModule.forSink(mailSink, staffApi) as unknown as Type);
    }
    if (publicModules.length > 0)
      publicApp = await createListenerApp(platform, {
        listener: 'public',
        port: config.http.port,
        modules: publicModules,
        groupPrefix: options.groupPrefix,
        startAtLatest: options.startAtLatest,
      });
    if (supportModules.length > 0)
      supportApp = await createListenerApp(platform, {
        listener: 'support',
        port: config.http.supportPort,
        modules: supportModules,
        groupPrefix: options.groupPrefix,
        startAtLatest: options.startAtLatest,
      });
  } catch (error) {
    // What started must stop: a relay left running here would hold its database's lock with no one to stop it.
    await stopAll().catch(() => undefined);
    throw error;
  }

  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= stopAll());
  return { platform, publicApp, supportApp, mailSink, stop };
}

function loadConfigOrExit(): MissiveConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`missive: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * The `main.ts` of the single-node host: every service on every core (single-node-workers.ts), or in this process
 * when SINGLE_NODE_WORKERS is 1.
 */
export async function runSingleNode(name: string, services: ServiceDefinition[]): Promise<void> {
  const config = loadConfigOrExit();
  if (cluster.isPrimary && config.singleNodeWorkers > 1) return superviseWorkers(name, config);
  return runServices(name, services);
}

/** The `main.ts` of every app: start, print where it listens, stop gracefully on SIGTERM/SIGINT. */
export async function runServices(name: string, services: ServiceDefinition[]): Promise<void> {
  const config = loadConfigOrExit();
  const worker = isSingleNodeWorker(config);
  let running: RunningServices;
  try {
    services = selectServices(services, config.services ?? undefined);
  } catch (error) {
    process.stderr.write(`missive: Invalid environment: ${(error as Error).message}\n`);
    process.exit(1);
  }
  try {
    const lead = !worker || config.workerSlot === 0;
    running = await startServices(services, { config, supportListener: lead, devMailSink: lead });
  } catch (error) {
    if (worker) reportToHost({ missive: 'failed', message: (error as Error).message });
    else process.stderr.write(`missive: ${name} could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  if (worker) shareMetricsWithHost(running.platform.metrics.registry);
  const log = running.platform.logger;
  const urls = [
    running.publicApp ? `public API and link host on http://127.0.0.1:${config.http.port} (docs: /docs)` : null,
    running.supportApp ? `support API on http://127.0.0.1:${config.http.supportPort} (docs: /docs)` : null,
    running.mailSink
      ? `dev mail sink smtp://127.0.0.1:${running.mailSink.port} (read it at GET /dev/mail on the support port, with a staff token)`
      : null,
  ].filter(Boolean);
  log.info({ service: name, services: services.map((s) => s.name) }, `${name} ready: ${urls.join('; ')}`);
  if (worker) reportToHost({ missive: 'ready', urls: urls.filter((u): u is string => u !== null) });
  else process.stdout.write(`\nMissive (${name}) is up:\n${urls.map((u) => `  - ${u}`).join('\n')}\n\n`);

  const shutdown = (signal: string) => {
    log.info(`${signal} received: shutting down gracefully`);
    const force = setTimeout(() => process.exit(1), 30000);
    force.unref();
    running.stop().then(
      () => process.exit(0),
      (error) => {
        log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
