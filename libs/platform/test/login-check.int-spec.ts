import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '@missive/config';
import { applicationLoginProblem, type RowQuery } from '@missive/database';
import { adminQuery, closeAdminPool } from '@missive/testing';

const ROOT = join(__dirname, '..', '..', '..');
const PROBE = join(__dirname, 'fixtures', 'run-probe.ts');
const SUPERUSER_URL = 'postgres://postgres@127.0.0.1:5432/missive_na';

function urlAs(login: string, database: string): string {
  const url = new URL(loadConfig().databases.adminGlobal);
  url.username = login;
  url.password = '';
  url.pathname = `/${database}`;
  return url.toString();
}

async function problemOf(url: string, variable = 'DATABASE_URL_NA'): Promise<string | null> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const query: RowQuery = async (sql, params) => (await client.query(sql, params)).rows;
    return await applicationLoginProblem(query, variable);
  } finally {
    await client.end();
  }
}

/** Runs the probe app (`runServices`) as its own process; resolves at its exit, or once it says it is up. */
function runProbe(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string; up: boolean }> {
  const config = loadConfig();
  const child = spawn(process.execPath, ['-r', '@swc-node/register', PROBE], {
    cwd: ROOT,
    env: {
      NODE_ENV: 'development',
      PORT: '0',
      SUPPORT_PORT: '0',
      DEV_MAIL_PORT: '0',
      LOG_LEVEL: 'warn',
      QUEUE_NAMESPACE: `test-${randomUUID().slice(0, 8)}`,
      DATABASE_URL_GLOBAL: config.databases.global,
      DATABASE_URL_NA: config.databases.regional.NA,
      DATABASE_URL_EEA: config.databases.regional.EEA,
      REDIS_URL_NA: config.redis.NA,
      REDIS_URL_EEA: config.redis.EEA,
      KAFKA_BROKERS_NA: config.kafka.brokers.NA.join(','),
      KAFKA_BROKERS_EEA: config.kafka.brokers.EEA.join(','),
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  let up = false;
  child.stdout.on('data', (data: Buffer) => {
    stdout += data.toString();
    if (!up && stdout.includes('Missive (probe) is up')) {
      up = true;
      child.kill('SIGTERM');
    }
  });
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr, up })));
}

describe('R-T1: the start-up check refuses a login that row-level security does not bind', () => {
  const uid = randomUUID().slice(0, 8);
  const bypass = `missive_probe_bypass_${uid}`;
  const member = `missive_probe_member_${uid}`;
  const owner = `missive_probe_owner_${uid}`;
  const database = `missive_probe_${uid}`;

  beforeAll(async () => {
    await adminQuery('global', `CREATE ROLE ${bypass} LOGIN BYPASSRLS`);
    await adminQuery('global', `CREATE ROLE ${member} LOGIN IN ROLE ${bypass}`);
    await adminQuery('global', `CREATE ROLE ${owner} LOGIN`);
    await adminQuery('global', `CREATE DATABASE ${database}`);
    await adminQuery({ url: urlAs('postgres', database) }, `CREATE TABLE things (tenant_id uuid)`);
    await adminQuery({ url: urlAs('postgres', database) }, `ALTER TABLE things OWNER TO ${owner}`);
  });

  afterAll(async () => {
    await closeAdminPool(urlAs('postgres', database));
    await adminQuery('global', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    for (const role of [member, owner, bypass]) await adminQuery('global', `DROP ROLE IF EXISTS ${role}`);
  });

  it('R-T1: names a superuser, a BYPASSRLS login, a member of one and a table owner; passes the app login', async () => {
    expect(await problemOf(SUPERUSER_URL)).toMatch(/^DATABASE_URL_NA logs in as "postgres", a superuser, /);
    expect(await problemOf(urlAs(bypass, database))).toMatch(new RegExp(`"${bypass}", which has BYPASSRLS`));
    expect(await problemOf(urlAs(member, database))).toMatch(new RegExp(`"${member}", a member of "${bypass}"`));
    expect(await problemOf(urlAs(owner, database), 'DATABASE_URL_EEA')).toMatch(
      new RegExp(
        `^DATABASE_URL_EEA logs in as "${owner}", which owns things: an owner can turn row-level security off`,
      ),
    );
    const config = loadConfig();
    for (const url of [config.databases.global, config.databases.regional.NA, config.databases.regional.EEA])
      expect(await problemOf(url)).toBeNull();
  });

  it('R-T1: an app started with a superuser DATABASE_URL_NA exits non-zero with one line naming it', async () => {
    const refused = await runProbe({ DATABASE_URL_NA: SUPERUSER_URL });
    expect(refused.up).toBe(false);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^missive: probe could not start: DATABASE_URL_NA logs in as "postgres", a superuser, /),
    ]);
  }, 60000);

  it('R-T1: the same app with the missive_app logins passes the check and starts', async () => {
    const started = await runProbe({});
    expect(started.stderr).toBe('');
    expect(started.up).toBe(true);
  }, 60000);
});
