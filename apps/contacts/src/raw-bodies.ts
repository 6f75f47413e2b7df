import type { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/**
 * Hands bodies of these content types to their routes as the raw request stream, never buffered whole (R-C6,
 * R-U5): each such route enforces its own size limit while it streams; JSON bodies keep the global 1 MB limit.
 * Registering a type twice (two modules accept CSV) is a no-op.
 */
export function acceptRawBodies(adapterHost: HttpAdapterHost, types: readonly string[]): void {
  const fastify = adapterHost.httpAdapter.getInstance<FastifyInstance>();
  for (const type of types) {
    if (fastify.hasContentTypeParser(type)) continue;
    fastify.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
  }
}
