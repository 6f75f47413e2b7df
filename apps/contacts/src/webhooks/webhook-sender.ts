import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressProblem, checkTarget, type TargetPolicy } from './webhook-target.rules';

/** One attempt's limits: the endpoint answers within this, and we read at most this much of its answer. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface AttemptResult {
  /** The HTTP status, or null when there was none (refused target, DNS, connection, timeout). */
  status: number | null;
  /** Why there was no status; never the endpoint's body. */
  error?: string;
  /** The URL itself is refused by the rules: retrying cannot help. */
  refused?: boolean;
}

/** A target refused by the rules at connection time (what the name resolved to). */
class RefusedTarget extends Error {}

/**
 * The name is resolved once, every address it gives is checked (R-X7), and the connection goes to the first one
 * allowed: Node connects to what this lookup answers, and keeps the name for the Host header and TLS (SNI and the
 * certificate check), so a name that resolves to an internal address reaches nothing.
 */
/** Resolves a name to all its addresses (node:dns `lookup` by default; tests give their own). */
export type Resolve = (hostname: string, family: number) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (hostname, family) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, family }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

function checkedLookup(policy: TargetPolicy, resolveName: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    resolveName(hostname, family).then(
      (addresses) => {
        const allowed = addresses.find((a) => addressProblem(a.address, policy) === null);
        if (!allowed) {
          const problem = addresses.length ? addressProblem(addresses[0].address, policy) : 'no address';
          return callback(new RefusedTarget(`the host resolves to ${problem}`), '', 0);
        }
        if ((options as { all?: boolean }).all) {
          (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [allowed]);
        } else {
          callback(null, allowed.address, allowed.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/**
 * POSTs one webhook message (R-X7): the URL checked again, its resolved address checked, no redirects followed,
 * a timeout over the whole attempt, and at most MAX_RESPONSE_BYTES of the answer read (then the socket is dropped).
 */
export function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  policy: TargetPolicy,
  options: { timeoutMs?: number; resolve?: Resolve } = {},
): Promise<AttemptResult> {
  const timeoutMs = options.timeoutMs ?? ATTEMPT_TIMEOUT_MS;
  const checked = checkTarget(target, policy);
  if (!checked.ok) return Promise.resolve({ status: null, error: checked.reason, refused: true });
  const url = checked.url;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const done = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        agent: false,
        lookup: checkedLookup(policy, options.resolve ?? systemResolve),
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Missive-Webhooks/1',
        },
      },
      (response) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) {
            // Enough: the status is all we need; the rest of an oversized answer is not read.
            done({ status: response.statusCode ?? null });
            response.destroy();
          }
        });
        response.on('end', () => done({ status: response.statusCode ?? null }));
        response.on('error', () => done({ status: response.statusCode ?? null }));
      },
    );
    const timer = setTimeout(() => {
      done({ status: null, error: `no answer within ${timeoutMs} ms` });
      request.destroy();
    }, timeoutMs);
    request.on('error', (error) => {
      // A name now resolving to an internal address is refused for this attempt; DNS may be fixed before the next.
      if (error instanceof RefusedTarget) return done({ status: null, error: error.message });
      done({ status: null, error: (error as NodeJS.ErrnoException).code ?? 'connection failed' });
    });
    request.end(body);
  });
}
