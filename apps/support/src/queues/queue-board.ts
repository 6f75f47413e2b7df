import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, textSafetyDetails, unsafeTextError } from '@missive/http';
import { knownQueues, Platform } from '@missive/platform';
import { AuditLog, UnauthorizedError } from '@missive/tenancy';
import { StaffAuthenticator } from '../staff/staff-authenticator';
import { actorOf } from '../staff/staff.rules';
import { isBoardPageLoad, staffTokenOf } from './board-credentials.rules';

export const QUEUE_BOARD_PATH = '/internal/queues';

/**
 * bull-board for the BullMQ queues of the regions this instance serves (issue 10), on the support listener only,
 * behind a staff token (Bearer, or Basic with the token as password so a browser can log in). Read-only: jobs
 * carry ids only, and retrying or deleting them is left to the services' own logic. Page loads are audited (R-A3).
 */
@Injectable()
export class QueueBoard implements OnModuleInit, OnModuleDestroy {
  private readonly queues: Queue[] = [];

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly platform: Platform,
    private readonly authenticator: StaffAuthenticator,
    private readonly audit: AuditLog,
  ) {}

  onModuleInit(): void {
    const { config, redis } = this.platform;
    const adapters = config.regions.flatMap((region) =>
      knownQueues(region, config.queueNamespace).map(({ name, prefix }) => {
        const queue = new Queue(name, { connection: redis.forRegion(region), prefix });
        this.queues.push(queue);
        return new BullMQAdapter(queue, {
          readOnlyMode: true,
          prefix: `${region.toLowerCase()}:`,
          description: `${name} (${region})`,
        });
      }),
    );
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({ queues: adapters, serverAdapter, options: { uiConfig: { boardTitle: 'Missive queues' } } });
    serverAdapter.setErrorHandler(boardErrorResponse);
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Not awaited: awaiting a register here would boot Fastify's plugin queue in the middle of Nest's init, before
    // Nest adds its body parsers, and oversized bodies would then bypass the exception filter's error format.
    // Fastify loads the plugin when the listener starts.
    void fastify.register(async (scope) => {
      scope.addHook('onRequest', (request, reply) => this.authorize(request, reply));
      // The text rule of every other route (R-X6): bull-board answered `?status=%00`, or a text/plain body with a
      // NUL, with a 500 (its validation messages use NUL as a separator).
      scope.addHook('preValidation', async (request) => {
        const details = [
          ...textSafetyDetails(request.query, { root: 'query' }),
          ...textSafetyDetails(request.params, { root: 'params' }),
          ...textSafetyDetails(request.body, { root: 'body' }),
        ];
        if (details.length > 0) throw unsafeTextError(details);
      });
      await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
    });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
  }

  private async authorize(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = staffTokenOf(request.headers.authorization);
    try {
      if (!token) throw new UnauthorizedError('a staff token is needed (Bearer, or Basic with it as password)');
      const staff = await this.authenticator.authenticate(token);
      const path = request.url.split('?')[0];
      if (isBoardPageLoad(request.method, path, QUEUE_BOARD_PATH)) {
        await this.audit.append({ actor: actorOf(staff), action: 'GET /internal/queues', details: { outcome: 'ok' } });
      }
    } catch (error) {
      if (!(error instanceof UnauthorizedError)) throw error;
      await reply
        .code(401)
        .header('www-authenticate', 'Basic realm="Missive queues", charset="UTF-8"')
        .send({
          error: 'unauthorized',
          message: error.message,
          details: [{ field: 'authorization', reason: error.message }],
        });
    }
  }
}

type BoardResponse = ReturnType<Parameters<FastifyAdapter['setErrorHandler']>[0]>;
type BoardStatus = BoardResponse['status'];

/**
 * In place of bull-board's error handler, which answers with whatever message was thrown (a JSON parser's, for one)
 * and the stack when NODE_ENV=development (R-X2): domain and Fastify client errors keep their status and message,
 * anything else is an opaque 500.
 */
function boardErrorResponse(error: Error): BoardResponse {
  if (error instanceof DomainError) {
    return {
      status: error.status as BoardStatus,
      body: { error: error.code, message: error.message, details: error.details },
    };
  }
  const { statusCode, code } = error as { statusCode?: number; code?: string };
  if (statusCode && statusCode < 500 && code?.startsWith('FST_')) {
    return { status: statusCode as BoardStatus, body: { error: 'bad_request', message: error.message, details: [] } };
  }
  return { status: 500, body: { error: 'internal_error', message: 'An unexpected error occurred', details: [] } };
}
