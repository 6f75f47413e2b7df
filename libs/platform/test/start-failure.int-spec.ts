import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import {
  adminQuery,
  createScratchDatabases,
  startTestServices,
  waitFor,
  type ScratchDatabases,
} from '@missive/testing';

@Module({})
class NothingModule {}

/**
 * R-X4: a process that fails half-way through starting (here: its public port is taken) stops what it started.
 * A relay left running would hold its database's outbox lock with nobody to stop it, and the events of every other
 * process of that database would wait behind it.
 */
describe('R-X4: a failed start leaves nothing running', () => {
  const uid = randomUUID().slice(0, 8);
  let scratch: ScratchDatabases;
  let taken: Server;

  beforeAll(async () => {
    scratch = await createScratchDatabases(uid);
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve));
  }, 60000);

  afterAll(async () => {
    await new Promise((resolve) => taken.close(resolve));
    await scratch?.drop();
  }, 60000);

  const relayConnections = async () =>
    (
      await adminQuery<{ n: number }>(
        { url: scratch.env.DATABASE_ADMIN_URL_GLOBAL },
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE application_name LIKE 'missive:relay:%' AND datname = ANY($1)`,
        [['GLOBAL', 'NA', 'EEA'].map((d) => new URL(scratch.env[`DATABASE_ADMIN_URL_${d}`]).pathname.slice(1))],
      )
    )[0].n;

  it('the start rejects, and no relay connection or outbox lock stays behind', async () => {
    const port = (taken.address() as AddressInfo).port;
    await expect(
      startTestServices([{ name: 'ops', publicModules: [NothingModule] }], { ...scratch.env, PORT: String(port) }),
    ).rejects.toThrow();
    await waitFor(async () => (await relayConnections()) === 0, {
      timeoutMs: 10000,
      what: 'the relays of the failed start to be gone',
    });
  }, 60000);
});
