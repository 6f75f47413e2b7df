import type { FastifyInstance } from 'fastify';

export interface RegisteredRoute {
  method: string;
  /** As registered: `/v1/contacts/:id`, `/t/o/*`. */
  path: string;
}

/**
 * Every method and path Fastify's router holds, so a test can cover the routes that exist rather than a list
 * someone remembered to update. `printRoutes()` draws the radix tree, one node a line, its methods in brackets; a
 * route is the concatenation of the nodes from the root to it. (`commonPrefix: false` would read easier, but it
 * folds `/t/o/*` and `/t/c/*` into one `*` node.)
 */
export function registeredRoutes(fastify: FastifyInstance): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  const parts: string[] = [];
  for (const line of fastify.printRoutes().split('\n')) {
    const node = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!node) continue;
    parts.length = node[1].length / 4;
    parts.push(node[2]);
    for (const method of node[3]?.split(', ') ?? []) routes.push({ method, path: parts.join('') });
  }
  return routes;
}
