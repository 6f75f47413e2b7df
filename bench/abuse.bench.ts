import { AbuseHost } from '../deploy/abuse/abuse-host';
import {
  hugeBody,
  nestedLoops,
  nulBytes,
  pixelReplay,
  prepareAttacker,
  quadraticHtmlAtCreation,
  quadraticHtmlAtSend,
  randomKeys,
  rcptFlood,
  trickledUploads,
} from '../deploy/abuse/attacks';
import { HealthWatcher } from '../deploy/abuse/watchers';
import type { BenchRow } from './bench-report';

const BROKER_PORT = 19510;

/**
 * `npm run bench abuse` (R-X6): the single-node host's worst event-loop delay (its own monitorEventLoopDelay, as
 * `missive_nodejs_eventloop_lag_max_seconds`) and the worst /health seen from outside, during each attack of the
 * abuse suite, beside the same figures for the idle host over the same few seconds.
 */
export async function runAbuseBench(): Promise<BenchRow[]> {
  const host = new AbuseHost(BROKER_PORT);
  await host.start();
  const health = new HealthWatcher(host.host.publicUrl);
  try {
    const ctx = await prepareAttacker(host, await host.tenant('Attacker'));
    const campaign = (
      await fetch(`${host.host.publicUrl}/v1/campaigns`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ctx.attacker.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'replayed',
          subject: 's',
          fromEmail: 'r@attacker.example',
          html: '<p>x</p>',
          audience: { lists: ['abuse'] },
        }),
      }).then((r) => r.json() as Promise<{ id: string }>)
    ).id;
    health.start();
    const rows: BenchRow[] = [];
    const measure = async (name: string, attack: () => Promise<unknown>) => {
      await health.mark();
      await host.eventLoopMaxMs();
      await attack();
      // The delay monitor records a blocked stretch at its next tick: give it one before reading.
      await new Promise((r) => setTimeout(r, 200));
      rows.push(
        { metric: `${name}: event loop max`, value: await host.eventLoopMaxMs(), unit: 'ms' },
        { metric: `${name}: /health worst`, value: (await health.mark()).worstMs, unit: 'ms' },
      );
    };
    await measure('idle 5 s', () => new Promise((r) => setTimeout(r, 5000)));
    await measure('HTML <a x50,000 at creation', () => quadraticHtmlAtCreation(ctx));
    await measure('HTML < x65,536 sent', () => quadraticHtmlAtSend(ctx));
    await measure('nested Liquid loops', () => nestedLoops(ctx));
    await measure('12 trickled uploads', () => trickledUploads(ctx, 5000));
    await measure('60,000 RCPTs', () => rcptFlood(ctx));
    await measure('pixel x2,000 on 200 connections', () => pixelReplay(ctx, campaign));
    await measure('10,000 random keys', () => randomKeys(ctx));
    await measure('10 MB body', () => hugeBody(ctx));
    await measure('NUL field and import row', () => nulBytes(ctx));
    return rows;
  } finally {
    await health.stop();
    await host.stop();
  }
}
