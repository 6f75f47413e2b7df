import { spawn } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { stopByPidFile } from './pid-file';
import { PrerequisiteError, requireCommand } from './prerequisites';

const ROOT = join(__dirname, '..', '..');
const REDIS_CACHE = join(ROOT, '.cache', 'redis');

function paths(port: number) {
  const dir = join(REDIS_CACHE, `redis-${port}`);
  return { dir, pid: join(dir, 'redis.pid'), log: join(dir, 'redis.log') };
}

/** True when a Redis server answers PING on the URL within the timeout. */
export async function redisAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/**
 * A Redis server of the project's own on 127.0.0.1:port (the second region's, where the machine's Redis serves the
 * first): the machine's `redis-server`, in memory only (no RDB or AOF: nothing of a test outlives it), with the
 * `noeviction` policy BullMQ requires, logging under .cache/redis. A no-op when one already answers there.
 */
export async function startLocalRedis(port: number): Promise<{ url: string; stop(): Promise<void> }> {
  const url = `redis://127.0.0.1:${port}`;
  const stop = () => stopLocalRedis(port);
  if (await redisAnswers(url)) return { url, stop };
  requireCommand(
    'redis-server',
    ['--version'],
    'the per-region topology starts a second Redis with it (e.g. apt-get install redis-server)',
  );
  const p = paths(port);
  mkdirSync(p.dir, { recursive: true });
  const out = openSync(p.log, 'a');
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
      '--dir',
      p.dir,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  writeFileSync(p.pid, String(child.pid));
  const deadline = Date.now() + 10000;
  while (!(await redisAnswers(url, 500))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new PrerequisiteError(`redis-server did not start on port ${port}; see ${p.log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop };
}

/** Stops the Redis this project started on the port (SIGTERM, then SIGKILL after 5 s); a no-op if none runs. */
export async function stopLocalRedis(port: number): Promise<void> {
  await stopByPidFile(paths(port).pid, 5000);
}
