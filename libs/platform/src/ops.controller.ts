import {
  Controller,
  Get,
  Header,
  Inject,
  type OnModuleDestroy,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { Metrics } from '@missive/observability';
import { Platform } from './platform';
import { ReadinessProbe } from './readiness';
import { DEPENDENCIES } from './readiness.rules';
import { hostMetricsText, isSingleNodeWorker } from './single-node-workers';

export type OpsListener = 'public' | 'support';

/** Which listener the ops routes answer on (`OpsModule.forListener`). */
export const OPS_LISTENER = Symbol('missive:ops-listener');

/** `/health`, `/ready` and `/metrics` on every listener of every service (R-X3). */
@ApiExcludeController()
@Controller()
export class OpsController implements OnModuleDestroy {
  private readonly probe: ReadinessProbe;

  constructor(
    private readonly platform: Platform,
    private readonly metrics: Metrics,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(OPS_LISTENER) private readonly listener: OpsListener,
  ) {
    this.probe = new ReadinessProbe(platform);
  }

  /** Liveness: 200 while the process runs; it checks nothing outside. */
  @Get('health')
  @HealthCheck()
  liveness(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /**
   * 200 when PostgreSQL, Redis and Kafka answer; 503 naming the failing ones under `error` (terminus' body), in
   * every process alike (API.md): a link host that spools hits while Kafka is away still reports it. The public
   * listener gives names and states only; the error, which can name hosts and ports, only on the support one (R-X2).
   */
  @Get('ready')
  async readiness(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.check();
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }

  private check(): Promise<HealthCheckResult> {
    return this.health.check(
      DEPENDENCIES.map((dependency) => async () => {
        const result = await this.probe.check(dependency);
        const session = this.indicators.check(dependency);
        if (result.up) return session.up();
        return this.listener === 'support' ? session.down({ message: result.message ?? 'down' }) : session.down();
      }),
    );
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText(): Promise<string> {
    // A worker of the single-node host answers for the host: its port is shared, and so are the counts.
    if (isSingleNodeWorker(this.platform.config)) return hostMetricsText();
    return this.metrics.registry.metrics();
  }

  async onModuleDestroy(): Promise<void> {
    await this.probe.close();
  }
}
