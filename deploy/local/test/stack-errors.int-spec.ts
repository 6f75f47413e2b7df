import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { adminQuery } from '@missive/testing';

const STACK = join(__dirname, '..', 'stack.mjs');

function stack(env: Record<string, string>) {
  return spawnSync(process.execPath, [STACK, 'up'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60000,
  });
}

describe('the local stack script (npm start / npm test set-up)', () => {
  it.each([
    ['PORT', 'abc', 'PORT must be a whole number (got "abc")'],
    ['DATABASE_URL_NA', 'mysql://x', 'DATABASE_URL_NA must be a postgres:// URL'],
    ['KAFKA_BROKERS', 'nowhere', 'KAFKA_BROKERS must be a comma-separated list of host:port'],
  ])('stops with one line naming %s when it is malformed, exit code ≠ 0', (name, value, message) => {
    const result = stack({ [name]: value });
    expect(result.status).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
  });

  it('stops with one line saying PostgreSQL is unreachable when it is', () => {
    const result = stack({ DATABASE_ADMIN_URL_GLOBAL: 'postgres://postgres@127.0.0.1:1/missive_global' });
    expect(result.status).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^missive: PostgreSQL is not reachable at 127\.0\.0\.1:1 .*start it/),
    ]);
  });

  it('R-T1: refuses a superuser as the application login in one line, and grants it nothing', async () => {
    const result = stack({ DATABASE_URL_NA: 'postgres://postgres@127.0.0.1:5432/missive_na' });
    expect(result.status).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^missive: DATABASE_URL_NA logs in as "postgres", a superuser, .*member of missive_app/),
    ]);
    const granted = await adminQuery(
      'global',
      `SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
        WHERE r.rolname = 'missive_app' AND u.rolname = 'postgres'`,
    );
    expect(granted).toEqual([]);
  });

  it('is idempotent: a second run with the stack up succeeds quickly', () => {
    const started = Date.now();
    const result = stack({});
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('stack ready');
    expect(Date.now() - started).toBeLessThan(30000);
  });
});
