import { Readable } from 'node:stream';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '@missive/http';

const RAW_BODIES = new WeakMap<object, Buffer>();
const INSTALLED = Symbol('missive.rawBodyCapture');

interface RawBodyRouteConfig {
  keepRawBody?: number;
}

/**
 * Keeps this route's request bytes as sent, up to `limit`, beside the usual parsed body: signatures (SendGrid's)
 * cover the exact bytes, which re-serialising the parsed JSON would not give back. Other routes are untouched.
 */
export const KeepRawBody = (limit: number) => RouteConfig({ keepRawBody: limit } satisfies RawBodyRouteConfig);

/** The bytes a `KeepRawBody` route received (an empty buffer for a request without a body). */
export function rawBodyOf(request: FastifyRequest): Buffer {
  return RAW_BODIES.get(request.raw) ?? Buffer.alloc(0);
}

/**
 * Gives every route marked `KeepRawBody` a preParsing hook of its own that reads the body into memory and hands the
 * parser a copy. Must run before the routes are registered (a module's `configure`); once per server.
 */
export function keepRawBodies(fastify: FastifyInstance): void {
  const marked = fastify as FastifyInstance & { [INSTALLED]?: boolean };
  if (marked[INSTALLED]) return;
  marked[INSTALLED] = true;
  fastify.addHook('onRoute', (route) => {
    const limit = (route.config as RawBodyRouteConfig | undefined)?.keepRawBody;
    if (typeof limit !== 'number') return;
    const existing = route.preParsing === undefined ? [] : [route.preParsing].flat();
    route.preParsing = [
      ...existing,
      async (request: FastifyRequest, _reply: unknown, payload: NodeJS.ReadableStream) => {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of payload as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > limit) throw new DomainError('payload_too_large', `The body may hold ${limit} bytes`, 413);
          chunks.push(chunk);
        }
        const raw = Buffer.concat(chunks);
        RAW_BODIES.set(request.raw, raw);
        const copy = Readable.from([raw]) as Readable & { receivedEncodedLength?: number };
        copy.receivedEncodedLength = raw.length;
        return copy;
      },
    ] as typeof route.preParsing;
  });
}
