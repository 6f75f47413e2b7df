import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { get } from 'node:http';
import { createScratchDatabases, waitFor, type ScratchDatabases } from '@missive/testing';
import { loadConfig } from '@missive/config';
import { ensureTopics } from '@missive/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { ensureBundles } from '../../../deploy/distributed/build-services';
import { ServiceFleet, type ServiceProcess } from '../../../deploy/distributed/service-processes';
import { startLocalBroker, stopLocalBroker } from '../../../deploy/local/kafka-broker';

/** A broker of this test's own: the host joins the default consumer groups, which no other test may share. */
const BROKER_PORT = 19093;

/** The pids of the processes whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the single-node host on every core (issue 25): workers sharing its ports, one start-up message', () => {
  const uid = randomUUID().slice(0, 8);
  const fleet = new ServiceFleet();
  let scratch: ScratchDatabases | undefined;
  let host: ServiceProcess;

  beforeAll(async () => {
    ensureBundles(['missive']);
    [scratch] = await Promise.all([
      createScratchDatabases(`workers${uid}`),
      startLocalBroker(BROKER_PORT, { fresh: true }),
    ]);
    const admin = new Kafka({ clientId: 'workers', brokers: [`127.0.0.1:${BROKER_PORT}`], logLevel: logLevel.NOTHING });
    const client = admin.admin();
    await client.connect();
    try {
      await ensureTopics(client, ['NA', 'EEA']);
    } finally {
      await client.disconnect();
    }
    [host] = await fleet.start([
      {
        service: 'missive',
        name: `workers-${uid}`,
        env: {
          ...scratch.env,
          NODE_ENV: 'development',
          SINGLE_NODE_WORKERS: '2',
          KAFKA_BROKERS: `127.0.0.1:${BROKER_PORT}`,
          REDIS_URL: loadConfig().redis.NA,
          QUEUE_NAMESPACE: `workers-${uid}`,
          DEV_MAIL_PORT: '0',
          LOG_LEVEL: 'warn',
        },
      },
    ]);
  }, 240000);

  afterAll(async () => {
    await fleet.stopAll();
    await stopLocalBroker(BROKER_PORT).catch(() => undefined);
    await scratch?.drop().catch(() => undefined);
  }, 90000);

  it('issue 25: two workers serve the public and support ports; /metrics sums both; one start-up message', async () => {
    const pid = host.child.pid!;
    await waitFor(() => childrenOf(pid).length === 2, { what: 'two workers', timeoutMs: 60000 });
    await waitFor(() => host.tail().includes('is up, 2 workers sharing its ports'), {
      what: 'the start-up message',
      timeoutMs: 120000,
    });
    expect(host.tail().match(/is up/g)).toHaveLength(1);
    for (const url of [host.publicUrl, host.supportUrl]) expect((await fetch(`${url}/ready`)).status).toBe(200);

    // Connections are dealt to the workers in turn; each counts the requests it served. /metrics on the shared port
    // is their sum, whichever worker answers it (one worker's own count would be about half).
    const REQUESTS = 40;
    for (let i = 0; i < REQUESTS; i++) {
      await new Promise<void>((resolve, reject) =>
        get(`${host.publicUrl}/health`, { agent: false }, (res) => res.resume().on('end', resolve)).on('error', reject),
      );
    }
    const served = async () => {
      const text = await (await fetch(`${host.publicUrl}/metrics`)).text();
      return text
        .split('\n')
        .filter((l) => l.startsWith('missive_http_request_duration_seconds_count') && l.includes('route="/health"'))
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    };
    expect(await served()).toBeGreaterThanOrEqual(REQUESTS);
  }, 180000);

  it('issue 25: a worker that dies is started again and the ports keep answering; SIGTERM stops them all', async () => {
    const pid = host.child.pid!;
    const [first, second] = childrenOf(pid);
    process.kill(second, 'SIGKILL');
    await waitFor(() => childrenOf(pid).length === 2 && !childrenOf(pid).includes(second), {
      what: 'the worker started again',
      timeoutMs: 60000,
    });
    expect(childrenOf(pid)).toContain(first);
    await waitFor(async () => (await fetch(`${host.publicUrl}/ready`)).status === 200, {
      what: 'the public port',
      timeoutMs: 60000,
    });
    const workers = childrenOf(pid);
    await host.stop(40000);
    expect(host.child.exitCode).toBe(0);
    expect(workers.filter(alive)).toEqual([]);
  }, 180000);
});
