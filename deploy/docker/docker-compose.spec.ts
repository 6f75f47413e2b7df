import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { loadConfig } from '@missive/config';

// There is no Docker engine where this runs: the compose file, the Dockerfile and the PostgreSQL init script are
// checked as text against the contract of ../shared/API.md and the facts of this repository.

const ROOT = join(__dirname, '../..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const DOCKERFILE = join(__dirname, 'Dockerfile');
const INIT_SCRIPT = join(__dirname, 'postgres-init.sh');

const DISTRIBUTED = ['contacts', 'campaigns', 'tracking', 'unsubscribe', 'privacy', 'support'] as const;
/** The contacts process's V8 heap settings, as in its Deployment (deploy/k8s/base/contacts.yaml). */
const CONTACTS_HEAP_FLAGS = ['--max-old-space-size=512', '--initial-old-space-size=112', '--max-semi-space-size=8'];
const PUBLIC_SERVICES = ['contacts', 'campaigns', 'tracking', 'unsubscribe', 'privacy'] as const;
const APP_SERVICES = [...DISTRIBUTED, 'missive'] as const;
const INFRASTRUCTURE = ['kafka', 'postgres', 'redis', 'mailpit'] as const;
const DATABASES = {
  DATABASE_URL_GLOBAL: 'missive_global',
  DATABASE_URL_NA: 'missive_na',
  DATABASE_URL_EEA: 'missive_eea',
};

type Scalar = string | number | boolean | null;
interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, Scalar> | string[];
  ports?: (string | number | { target: number; published?: string | number; host_ip?: string })[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  profiles?: string[];
  restart?: string;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

// Merge keys (`<<: *anchor`) as Docker Compose resolves them.
const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as ComposeFile;
const dockerfile = readFileSync(DOCKERFILE, 'utf8');

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** Compose interpolation with nothing set in the shell: `${VAR:-default}`, `${VAR-default}`, `${VAR}`, `$$`. */
function interpolate(value: string, shell: Record<string, string> = {}): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced?: string, operator?: string, fallback?: string, bare?: string) => {
      if (match === '$$') return '$';
      const set = shell[(braced ?? bare) as string];
      if (operator === ':-') return set ? set : (fallback ?? '');
      if (operator === '-') return set ?? fallback ?? '';
      return set ?? '';
    },
  );
}

/** A service's environment as the container sees it (list or map form, interpolated). */
function environment(name: string, shell: Record<string, string> = {}): Record<string, string> {
  const raw = service(name).environment ?? {};
  const pairs: [string, string][] = Array.isArray(raw)
    ? raw.map((entry) => {
        const eq = entry.indexOf('=');
        return [entry.slice(0, eq), entry.slice(eq + 1)];
      })
    : Object.entries(raw).map(([key, value]) => [key, value === null ? '' : String(value)]);
  return Object.fromEntries(pairs.map(([key, value]) => [key, interpolate(value, shell)]));
}

function command(name: string): string[] {
  const raw = service(name).command ?? [];
  return Array.isArray(raw) ? raw : raw.split(/\s+/).filter(Boolean);
}

/** Published ports as { host, container }; short syntax `[ip:]host:container[/proto]` or the long one. */
function ports(name: string): { host: number; container: number }[] {
  return (service(name).ports ?? []).map((entry) => {
    if (typeof entry === 'object') return { host: Number(entry.published), container: Number(entry.target) };
    const parts = String(entry)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const container = Number(parts[parts.length - 1]);
    const host = parts.length >= 2 ? Number(parts[parts.length - 2]) : NaN;
    return { host, container };
  });
}

function dependsOn(name: string): Record<string, string> {
  const raw = service(name).depends_on ?? {};
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((dep) => [dep, 'service_started']));
  return Object.fromEntries(Object.entries(raw).map(([dep, spec]) => [dep, spec?.condition ?? 'service_started']));
}

function healthcheckCommand(name: string): string[] {
  const test = service(name).healthcheck?.test;
  if (!test) return [];
  return Array.isArray(test) ? test : ['CMD-SHELL', test];
}

function isDefaultProfile(name: string): boolean {
  return (service(name).profiles ?? []).length === 0;
}

/** The Dockerfile as instructions (continuation lines joined, comments dropped), e.g. ['RUN', 'npm install …']. */
function instructions(text: string): [string, string][] {
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const space = line.indexOf(' ');
      return [line.slice(0, space).toUpperCase(), line.slice(space + 1).trim()];
    });
}

const execFileAsync = promisify(execFile);

/** Answers GET /health with the given status on an ephemeral port. */
async function healthServer(status: number): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    response.statusCode = request.url === '/health' ? status : 404;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Runs a service's `node -e` healthcheck with its ports pointed at local stand-ins; true when it exits 0. */
async function runHealthcheck(name: string, portMap: Record<string, number>): Promise<boolean> {
  const [kind, binary, flag, script] = healthcheckCommand(name);
  expect([kind, binary, flag]).toEqual(['CMD', 'node', '-e']);
  const rewritten = script.replace(/\b(3000|3100)\b/g, (port) => String(portMap[port]));
  try {
    await execFileAsync(process.execPath, ['-e', rewritten], { timeout: 10000 });
    return true;
  } catch {
    return false;
  }
}

describe('docker-compose.yml', () => {
  it('names every Missive service and runs it in distributed mode', () => {
    for (const name of DISTRIBUTED) {
      const heap = name === 'contacts' ? CONTACTS_HEAP_FLAGS : [];
      expect(command(name)).toEqual(['node', ...heap, `dist/apps/${name}/main.js`]);
      // Distributed mode is what a plain `docker compose up` starts.
      expect(isDefaultProfile(name)).toBe(true);
    }
  });

  it('offers the single-node host behind the single-node profile on the API.md ports', () => {
    expect(command('missive')).toEqual(['node', 'dist/apps/missive/main.js']);
    expect(service('missive').profiles).toContain('single-node');
    expect(ports('missive')).toEqual(
      expect.arrayContaining([
        { host: 3000, container: 3000 },
        { host: 3100, container: 3100 },
        { host: 2526, container: 2526 },
      ]),
    );
  });

  it('runs every Missive container from the image of deploy/docker/Dockerfile', () => {
    for (const name of [...APP_SERVICES, 'migrate']) {
      const build = service(name).build;
      expect(typeof build).toBe('object');
      const { context = '.', dockerfile: file = 'Dockerfile' } = build as { context?: string; dockerfile?: string };
      expect(join(ROOT, context)).toBe(ROOT);
      expect(join(ROOT, context, file)).toBe(DOCKERFILE);
      expect(service(name).image).toBe(service('migrate').image);
    }
  });

  it('publishes support on 3100 and inbound SMTP on 2526 in distributed mode, each public service on its own host port', () => {
    expect(ports('support')).toContainEqual({ host: 3100, container: 3100 });
    expect(ports('unsubscribe')).toContainEqual({ host: 2526, container: 2526 });
    for (const name of PUBLIC_SERVICES) {
      const containerPort = Number(environment(name).PORT);
      expect(ports(name).some((p) => p.container === containerPort)).toBe(true);
    }
    const defaultHostPorts = Object.keys(compose.services)
      .filter(isDefaultProfile)
      .flatMap((name) => ports(name).map((p) => p.host));
    expect(new Set(defaultHostPorts).size).toBe(defaultHostPorts.length);
    expect(defaultHostPorts.every((p) => Number.isInteger(p) && p > 0)).toBe(true);
  });

  it('keeps the listener ports of API.md inside every container', () => {
    for (const name of APP_SERVICES) {
      const env = environment(name);
      expect(env.PORT).toBe('3000');
      expect(env.SUPPORT_PORT).toBe('3100');
      expect(env.INBOUND_SMTP_PORT).toBe('2526');
    }
    expect(ports('support').map((p) => p.container)).toEqual([Number(environment('support').SUPPORT_PORT)]);
  });

  it('connects every app service to the compose Kafka, PostgreSQL, Redis and Mailpit', () => {
    const kafkaAdvertised = environment('kafka')
      .KAFKA_ADVERTISED_LISTENERS.split(',')
      .map((l) => l.split('://')[1]);
    for (const name of APP_SERVICES) {
      const env = environment(name);
      for (const key of ['KAFKA_BROKERS', 'REDIS_URL', 'SMTP_URL', ...Object.keys(DATABASES)]) {
        expect({ name, key, set: Boolean(env[key]) }).toEqual({ name, key, set: true });
      }
      expect(kafkaAdvertised).toContain(env.KAFKA_BROKERS);
      expect(new URL(env.REDIS_URL).host).toBe('redis:6379');
      expect(env.SMTP_URL).toBe('smtp://mailpit:1025');
      for (const [key, database] of Object.entries(DATABASES)) {
        const url = new URL(env[key]);
        expect({ key, host: url.host, database: url.pathname, user: url.username }).toEqual({
          key,
          host: 'postgres:5432',
          database: `/${database}`,
          // The app login, never the owner (R-T1).
          user: 'missive_app',
        });
      }
      expect(env.DATA_DIR).toBe('/data');
      expect(service(name).volumes).toContain('missive-data:/data');
    }
  });

  it('gives every app service an environment that Missive accepts', () => {
    for (const name of APP_SERVICES) {
      const config = loadConfig(environment(name));
      expect(config.http).toEqual({
        port: 3000,
        supportPort: 3100,
        publicBaseUrl: 'http://127.0.0.1:3000',
        trustedProxies: [],
      });
      expect(config.kafka.brokers).toEqual({ NA: ['kafka:9092'], EEA: ['kafka:9092'] });
      expect(config.redis).toEqual({ NA: 'redis://redis:6379', EEA: 'redis://redis:6379' });
      expect(config.smtp.url).toBe('smtp://mailpit:1025');
      expect(config.regions).toEqual(['NA', 'EEA']);
      expect(config.dataDir).toBe('/data');
    }
    // The per-region and key variables pass through from the shell (R-T2, R-K1).
    const config = loadConfig(
      environment('campaigns', {
        KAFKA_BROKERS_EEA: 'kafka-eea:9092',
        REDIS_URL_EEA: 'redis://redis-eea:6379',
        LINK_TOKEN_KEYS: 'k2:0123456789abcdef0123456789abcdef',
      }),
    );
    expect(config.kafka.brokers.EEA).toEqual(['kafka-eea:9092']);
    expect(config.redis.EEA).toBe('redis://redis-eea:6379');
    expect(config.linkTokenKeys).toEqual([{ kid: 'k2', secret: '0123456789abcdef0123456789abcdef' }]);
  });

  it('checks every app service with GET /health on each port it listens on', async () => {
    const expectedPorts: Record<string, string[]> = { support: ['3100'], missive: ['3000', '3100'] };
    for (const name of APP_SERVICES) {
      const script = healthcheckCommand(name)[3] ?? '';
      expect(script).toContain('/health');
      for (const port of expectedPorts[name] ?? ['3000']) expect(script).toContain(port);
    }
    // The scripts really pass against a healthy listener and fail against an unhealthy or absent one.
    const up = await healthServer(200);
    const down = await healthServer(503);
    try {
      const healthy = await Promise.all(
        APP_SERVICES.map(async (name) => ({
          name,
          healthy: await runHealthcheck(name, { 3000: up.port, 3100: up.port }),
        })),
      );
      expect(healthy).toEqual(APP_SERVICES.map((name) => ({ name, healthy: true })));
      const unhealthy = await Promise.all([
        runHealthcheck('support', { 3000: up.port, 3100: down.port }),
        runHealthcheck('contacts', { 3000: down.port, 3100: up.port }),
        runHealthcheck('missive', { 3000: up.port, 3100: down.port }),
      ]);
      expect(unhealthy).toEqual([false, false, false]);
    } finally {
      up.server.close();
      down.server.close();
    }
  });

  it('starts Kafka in KRaft mode as a single node that leaves topic creation to the app', () => {
    expect(INFRASTRUCTURE.every((name) => name in compose.services)).toBe(true);
    expect(service('kafka').image).toBe('apache/kafka:3.9.1');
    const env = environment('kafka');
    expect(env.KAFKA_PROCESS_ROLES.split(',').sort()).toEqual(['broker', 'controller']);
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`${env.KAFKA_NODE_ID}@kafka:9093`);
    expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).toBe('1');
    expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    // A KRaft cluster id is a UUID: 16 bytes, base64url.
    expect(Buffer.from(env.CLUSTER_ID, 'base64url')).toHaveLength(16);
    expect(healthcheckCommand('kafka').length).toBeGreaterThan(0);
  });

  it('runs Redis with noeviction and an append-only file', () => {
    expect(service('redis').image).toBe('redis:7');
    const args = command('redis');
    expect(args[0]).toBe('redis-server');
    expect(args[args.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
    expect(args[args.indexOf('--appendonly') + 1]).toBe('yes');
  });

  it('catches mail in Mailpit on the SMTP port the services send to and shows it on 8025', () => {
    expect(service('mailpit').image).toMatch(/^axllent\/mailpit(:|$)/);
    expect(ports('mailpit')).toContainEqual({ host: 8025, container: 8025 });
    expect(new URL(environment('missive').SMTP_URL).port).toBe('1025');
  });

  it('creates the three databases and a non-superuser app login on the first PostgreSQL start', () => {
    expect(service('postgres').image).toBe('postgres:15');
    const mount = (service('postgres').volumes ?? [])
      .map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`))
      .find((v) => v.includes('/docker-entrypoint-initdb.d/'));
    expect(mount).toBeDefined();
    const source = join(ROOT, (mount as string).split(':')[0]);
    expect(source).toBe(INIT_SCRIPT);
    expect((mount as string).split(':')[1]).toMatch(/\.sh$/);

    const script = readFileSync(INIT_SCRIPT, 'utf8');
    expect(script).not.toContain('\r');
    // Executable, the entrypoint runs it in its own shell instead of sourcing it into its own.
    expect(statSync(INIT_SCRIPT).mode & 0o111).not.toBe(0);
    for (const database of Object.values(DATABASES)) expect(script).toMatch(new RegExp(`CREATE DATABASE ${database};`));
    const role = /CREATE ROLE missive_app ([^;]*);/.exec(script)?.[1] ?? '';
    expect(role.split(/\s+/)).toEqual(expect.arrayContaining(['LOGIN', 'NOSUPERUSER', 'NOBYPASSRLS']));
    expect(role).not.toMatch(/\b(SUPERUSER|BYPASSRLS)\b/);
    // The password the init script sets is the one in the app's URLs.
    const initPassword = environment('postgres').MISSIVE_APP_DB_PASSWORD;
    expect(script).toContain('MISSIVE_APP_DB_PASSWORD');
    expect(decodeURIComponent(new URL(environment('contacts').DATABASE_URL_GLOBAL).password)).toBe(initPassword);
    expect(environment('postgres', { MISSIVE_APP_DB_PASSWORD: 's3cret' }).MISSIVE_APP_DB_PASSWORD).toBe('s3cret');
    expect(new URL(environment('contacts', { MISSIVE_APP_DB_PASSWORD: 's3cret' }).DATABASE_URL_NA).password).toBe(
      's3cret',
    );
    // Healthy only over TCP, which the entrypoint opens after the init scripts ran.
    expect(healthcheckCommand('postgres').join(' ')).toMatch(/pg_isready .*-h 127\.0\.0\.1/);
  });

  it('migrates as the database owner in a one-shot service before any app service starts', () => {
    expect(command('migrate')).toEqual(['node', 'deploy/local/stack.mjs', 'migrate']);
    expect(existsSync(join(ROOT, 'deploy/local/stack.mjs'))).toBe(true);
    expect(service('migrate').restart).toBe('no');
    expect(dependsOn('migrate').postgres).toBe('service_healthy');
    const env = environment('migrate');
    const superuser = environment('postgres').POSTGRES_USER;
    for (const [key, database] of Object.entries(DATABASES)) {
      const url = new URL(env[key.replace('DATABASE_URL_', 'DATABASE_ADMIN_URL_')]);
      expect({ key, host: url.host, database: url.pathname, user: url.username }).toEqual({
        key,
        host: 'postgres:5432',
        database: `/${database}`,
        user: superuser,
      });
      expect(url.password).toBe(environment('postgres').POSTGRES_PASSWORD);
    }
    expect(loadConfig(env).databases.adminRegional.EEA).toBe(env.DATABASE_ADMIN_URL_EEA);
    for (const name of APP_SERVICES) {
      expect({ name, dependsOn: dependsOn(name) }).toEqual({
        name,
        dependsOn: expect.objectContaining({
          migrate: 'service_completed_successfully',
          kafka: 'service_healthy',
          redis: 'service_healthy',
        }),
      });
    }
  });

  it('declares every named volume it mounts', () => {
    for (const [name, spec] of Object.entries(compose.services)) {
      for (const volume of spec.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0] : (volume.source ?? '');
        if (source.startsWith('.') || source.startsWith('/')) {
          expect({ name, source, exists: existsSync(join(ROOT, source)) }).toEqual({ name, source, exists: true });
        } else {
          expect({ name, source, declared: source in (compose.volumes ?? {}) }).toEqual({
            name,
            source,
            declared: true,
          });
        }
      }
    }
  });
});

describe('deploy/docker/Dockerfile', () => {
  const steps = instructions(dockerfile);
  const of = (keyword: string) => steps.filter(([k]) => k === keyword).map(([, args]) => args);

  it('builds in stages on node:20-bookworm-slim', () => {
    const bases = of('FROM');
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) expect(base).toMatch(/^node:20-bookworm-slim\b/);
  });

  it('installs from the committed lock file with npm install, then builds every app', () => {
    const runs = of('RUN').join('\n');
    const copies = of('COPY');
    const lockCopied = copies.findIndex((args) => !args.startsWith('--from') && args.includes('package-lock.json'));
    expect(lockCopied).toBeGreaterThanOrEqual(0);
    expect(runs).toMatch(/npm install --no-audit --no-fund/);
    expect(runs).not.toMatch(/npm ci\b/);
    expect(runs).toContain('npm run build');
    // The stamp deploy/local/stack.mjs checks, so that `stack.mjs migrate` does not reinstall in the container.
    const stamp = /'node_modules', '([^']+)'/.exec(readFileSync(join(ROOT, 'deploy/local/stack.mjs'), 'utf8'))?.[1];
    expect(stamp).toBeDefined();
    expect(runs).toContain(`node_modules/${stamp}`);
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.build).toContain('nest build');
  });

  it('copies only files that exist in the repository and leaves out node_modules and dist', () => {
    for (const args of of('COPY').filter((a) => !a.startsWith('--from'))) {
      const paths = args.split(/\s+/).filter((a) => !a.startsWith('--'));
      for (const source of paths.slice(0, -1)) {
        expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
        expect(source).not.toMatch(/^(\.|\.\/)?$|node_modules|^dist\b/);
      }
    }
    const ignore = readFileSync(join(__dirname, 'Dockerfile.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', 'dist', '.cache', '.git']) expect(ignore).toContain(entry);
  });

  it('runs the single-node host as a non-root user', () => {
    const users = of('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
    const lastFrom = steps.map(([k]) => k).lastIndexOf('FROM');
    expect(steps.slice(lastFrom).some(([k]) => k === 'USER')).toBe(true);
    expect(JSON.parse(of('CMD').pop() ?? 'null')).toEqual(['node', 'dist/apps/missive/main.js']);
  });
});
