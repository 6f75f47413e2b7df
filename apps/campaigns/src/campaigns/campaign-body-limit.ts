import type { FastifyInstance } from 'fastify';
import { MAX_HTML_BYTES } from './dto/create-campaign.dto';

/**
 * Body limit of the campaign create route: well above the template limits (html and text, MAX_HTML_BYTES each), so
 * an oversized template reaches validation and is answered 400 naming its field (R-X2, R-C5) instead of a bare 413
 * for "the body". Bodies above this are still refused with 413 before being read whole.
 */
export const CAMPAIGN_BODY_LIMIT = 10 * MAX_HTML_BYTES;

const INSTALLED = Symbol('missive.routeBodyLimits');

/**
 * Lets a route declare its own body limit with `@RouteConfig({ bodyLimit })` (Nest passes route config to Fastify,
 * but not `bodyLimit` itself). Must run before the routes are registered (a module's `configure`); once per server.
 */
export function honourRouteBodyLimits(fastify: FastifyInstance): void {
  const marked = fastify as FastifyInstance & { [INSTALLED]?: boolean };
  if (marked[INSTALLED]) return;
  marked[INSTALLED] = true;
  fastify.addHook('onRoute', (route) => {
    const limit = (route.config as { bodyLimit?: unknown } | undefined)?.bodyLimit;
    if (typeof limit === 'number') route.bodyLimit = limit;
  });
}
