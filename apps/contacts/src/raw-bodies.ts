import { RouteConfig } from '@nestjs/platform-fastify';
import type { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '@missive/http';

interface RawBodyRouteConfig {
  rawBodyLimit?: number;
  rawBodyTooLarge?: string;
}

/**
 * The most bytes a raw-body route takes, and what its 413 says. Checked against `content-length` when the body is
 * about to be handed over, before the route's guards run: an oversized upload is refused before its API key costs
 * a lookup, and without reading a byte of it (R-X6). The route still counts what arrives (chunked bodies).
 */
export const RawBodyLimit = (bytes: number, message: string) =>
  RouteConfig({ rawBodyLimit: bytes, rawBodyTooLarge: message } satisfies RawBodyRouteConfig);

function refusedFromLength(request: FastifyRequest): DomainError | null {
  const { rawBodyLimit, rawBodyTooLarge } = request.routeOptions.config as RawBodyRouteConfig;
  if (rawBodyLimit === undefined || !(Number(request.headers['content-length']) > rawBodyLimit)) return null;
  return new DomainError('payload_too_large', rawBodyTooLarge ?? `The body may hold ${rawBodyLimit} bytes`, 413);
}

/**
 * Hands bodies of these content types to their routes as the raw request stream, never buffered whole (R-C6,
 * R-U5): each such route declares its limit (`RawBodyLimit`) and enforces it while it streams; JSON bodies keep the
 * global 1 MB limit. Registering a type twice (two modules accept CSV) is a no-op.
 */
export function acceptRawBodies(adapterHost: HttpAdapterHost, types: readonly string[]): void {
  const fastify = adapterHost.httpAdapter.getInstance<FastifyInstance>();
  for (const type of types) {
    if (fastify.hasContentTypeParser(type)) continue;
    fastify.addContentTypeParser(type, (request, payload, done) => {
      const refused = refusedFromLength(request);
      if (refused) done(refused, undefined);
      else done(null, payload);
    });
  }
}
