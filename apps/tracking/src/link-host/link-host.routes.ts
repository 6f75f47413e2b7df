import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LinkHostService, type HitRequest } from './link-host.service';
import { PIXEL_GIF } from './pixel';

const NOT_FOUND = JSON.stringify({ error: 'not_found', message: 'This link is not valid', details: [] });
const UNAVAILABLE = JSON.stringify({ error: 'unavailable', message: 'Please try again in a moment', details: [] });

/**
 * `GET /t/o/{token}` and `GET /t/c/{token}` (API.md), registered as plain Fastify routes on the public listener
 * rather than through a Nest controller: they are the hot path (every open and click of every campaign), and a raw
 * route skips Nest's per-request guard/pipe/interceptor/filter chain, which the benchmark showed as a large share of
 * the time of a request this small (docs/benchmarks.md). A wildcard takes the token so an over-long one still
 * gets the GIF rather than Fastify's param-length 404. No cookies, no third-party resources, no per-hit logging;
 * the query string is ignored (R-K3: the redirect target never comes from the request).
 */
@Injectable()
export class LinkHostRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly linkHost: LinkHostService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.get('/t/o/*', (request, reply) => this.open(request, reply));
    fastify.get('/t/c/*', (request, reply) => this.click(request, reply));
  }

  private async open(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    // R-K2: the GIF whatever happens; LinkHostService.open does not throw, this is the belt to its braces.
    await this.linkHost.open(tokenOf(request), hitRequest(request)).catch(() => undefined);
    return reply
      .code(200)
      .header('content-type', 'image/gif')
      .header('cache-control', 'no-store, max-age=0')
      .header('content-length', PIXEL_GIF.length)
      .send(PIXEL_GIF);
  }

  private async click(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    let url: string | null;
    try {
      url = await this.linkHost.click(tokenOf(request), hitRequest(request));
    } catch {
      // Redis did not answer: the link may well be valid, so not a 404; nothing personal in the body or a log.
      return reply.code(503).header('content-type', 'application/json; charset=utf-8').send(UNAVAILABLE);
    }
    if (url === null) {
      return reply
        .code(404)
        .header('content-type', 'application/json; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(NOT_FOUND);
    }
    return reply.code(302).header('location', url).header('cache-control', 'no-store').send();
  }
}

function tokenOf(request: FastifyRequest): string {
  return (request.params as { '*': string })['*'];
}

function hitRequest(request: FastifyRequest): HitRequest {
  const userAgent = request.headers['user-agent'];
  return { method: request.method, ip: request.ip, userAgent };
}
