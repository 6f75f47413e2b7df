import { NestFactory } from '@nestjs/core';
import { type DynamicModule, type INestApplication, Module, type Type } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { KafkaEventServer } from '@missive/kafka';
import { createValidationPipe, MissiveExceptionFilter, registerTextBodyParsers, sendRouterError } from '@missive/http';
import { PinoNestLogger } from '@missive/observability';
import { MAX_LINK_TOKEN_LENGTH } from '@missive/tokens';
import { OpsModule } from './ops.module';
import type { Platform } from './platform';
import { PlatformModule } from './platform.module';

/** JSON bodies above this are refused with 413 (R-X2); routes that take files (imports) set their own. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * The longest path parameter a route accepts: a link token signed with the longest key id the config allows (R-X6).
 * Fastify's default (100) turned every unsubscribe link of an 8-character key id into a 414.
 */
export const MAX_PARAM_LENGTH = MAX_LINK_TOKEN_LENGTH;

/** How often the listener looks for requests past their header or request timeout. */
const HTTP_TIMEOUT_CHECK_MS = 1000;

export interface ListenerSpec {
  /** `public` or `support`: labels metrics and the OpenAPI title. */
  listener: 'public' | 'support';
  port: number;
  modules: Type[];
  /** Consumer-group prefix for this app's Kafka handlers (tests isolate themselves with their own). */
  groupPrefix?: string;
  /** New consumer groups start at the current ends of their topics (tests), not at the oldest event. */
  startAtLatest?: boolean;
}

function rootModule(platform: Platform, spec: ListenerSpec): DynamicModule {
  @Module({})
  class ListenerRootModule {}
  return {
    module: ListenerRootModule,
    imports: [PlatformModule.forRoot(platform), OpsModule.forListener(spec.listener), ...spec.modules],
  };
}

/**
 * One Nest application on one port, on Fastify: the error filter, whitelisting validation, body limit, request
 * metrics, OpenAPI at /docs (document at /docs-json), and the Kafka consumers of its modules.
 */
export async function createListenerApp(platform: Platform, spec: ListenerSpec): Promise<NestFastifyApplication> {
  const { timeouts } = platform.config;
  const adapter = new FastifyAdapter({
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Router options go under routerOptions (Fastify 5 deprecates them at the top level, with a warning per start).
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // A URL the router cannot route (bad percent-encoding, an over-long parameter) gets the API's error shape too.
    frameworkErrors: sendRouterError,
    // R-X6: X-Forwarded-For is believed only from the proxies listed in TRUSTED_PROXIES (the ingress controller), so
    // request.ip is the real client behind them and the direct peer otherwise; nobody else can choose their IP.
    trustProxy: platform.config.http.trustedProxies.length > 0 ? platform.config.http.trustedProxies : false,
    // R-X6: a client that goes quiet loses its connection (the variables and their reasons: libs/config).
    requestTimeout: timeouts.httpRequestMs,
    keepAliveTimeout: timeouts.httpKeepAliveMs,
    connectionTimeout: timeouts.httpIdleMs,
    http: {
      headersTimeout: timeouts.httpHeadersMs,
      // Node checks the header and request timeouts this often (30 s by default, which would double the first).
      connectionsCheckingInterval: HTTP_TIMEOUT_CHECK_MS,
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(rootModule(platform, spec), adapter, {
    logger: new PinoNestLogger(platform.logger.child({ listener: spec.listener })),
    abortOnError: false,
    // JSON and form bodies go through parsers that also refuse NUL and invalid Unicode (R-X6).
    bodyParser: false,
  });
  app.useGlobalFilters(new MissiveExceptionFilter(platform.logger));
  app.useGlobalPipes(createValidationPipe());
  const fastify = app.getHttpAdapter().getInstance();
  registerTextBodyParsers(fastify, DEFAULT_BODY_LIMIT);
  fastify.addHook('onResponse', (request, reply, done) => {
    platform.metrics.httpRequestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
        listener: spec.listener,
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(spec.listener === 'public' ? 'Missive public API' : 'Missive support API')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  app.connectMicroservice(
    {
      strategy: new KafkaEventServer({
        config: platform.config,
        databases: platform.databases,
        kafka: platform.kafka,
        logger: platform.logger,
        metrics: platform.metrics,
        groupPrefix: spec.groupPrefix,
        startAtLatest: spec.startAtLatest,
        // Asked at each batch: the reader registers itself once the listener's modules are created (R-P6).
        purgedTenants: {
          purgedAmong: (ids) => platform.purgedTenants?.purgedAmong(ids) ?? Promise.resolve(new Set<string>()),
        },
      }),
    },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(spec.port, '0.0.0.0');
  return app;
}

export type ListenerApp = INestApplication;
