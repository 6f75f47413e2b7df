import { TEST_BOOTSTRAP_TOKEN, http, waitFor } from '@missive/testing';
import { AbuseHost } from './abuse-host';
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
  type AttackContext,
} from './attacks';
import { HealthWatcher, NeighbourTenant } from './watchers';

/** The broker of this file (its controller on +1). */
const BROKER_PORT = 19500;
/** /health must answer within this during every attack (issue 27). */
const HEALTH_BOUND_MS = 250;

/**
 * R-X6, the abuse suite: the single-node host (every service in one process) under each attack of issue 27, one
 * after the other, while a poller calls /health every 25 ms and another tenant upserts and reads its contact. For
 * each attack: /health never slower than 250 ms, the other tenant never a 5xx or a timeout, and the attack's own
 * answers are the bounded ones (4xx, the usual GIF, a paused campaign). The figures are printed per attack with the
 * host's own worst event-loop lag.
 */
describe('R-X6: hostile input never stalls Missive (abuse suite, single-node host)', () => {
  const host = new AbuseHost(BROKER_PORT);
  let health: HealthWatcher;
  let neighbour: NeighbourTenant;
  let ctx: AttackContext;
  let replayCampaign: string;
  const figures: string[] = [];

  beforeAll(async () => {
    await host.start();
    const [attacker, other] = [await host.tenant('Attacker'), await host.tenant('Neighbour')];
    ctx = await prepareAttacker(host, attacker);
    // A sent campaign whose pixel the replay attack uses.
    const created = await http('POST', `${host.host.publicUrl}/v1/campaigns`, {
      token: attacker.apiKey,
      body: {
        name: 'replayed',
        subject: 's',
        fromEmail: 'r@attacker.example',
        html: '<p>x</p>',
        audience: { lists: ['abuse'] },
      },
    });
    replayCampaign = created.body.id;
    await http('POST', `${host.host.publicUrl}/v1/campaigns/${replayCampaign}/send`, { token: attacker.apiKey });
    await waitFor(
      async () =>
        (await http('GET', `${host.host.publicUrl}/v1/campaigns/${replayCampaign}`, { token: attacker.apiKey })).body
          .status === 'sent',
      { what: 'the replayed campaign to be sent', timeoutMs: 30000 },
    );
    health = new HealthWatcher(host.host.publicUrl);
    neighbour = new NeighbourTenant(host.host.publicUrl, other);
    health.start();
    neighbour.start();
    await new Promise((r) => setTimeout(r, 500));
    await health.mark();
    neighbour.mark();
    await host.eventLoopMaxMs();
  }, 240000);

  afterAll(async () => {
    await health?.stop();
    await neighbour?.stop();
    process.stdout.write(
      `abuse suite (worst /health, host event-loop max, other tenant's requests):\n${figures.join('\n')}\n`,
    );
    await host.stop();
  }, 60000);

  /** Runs an attack between two marks and checks what the watchers saw. */
  async function during<T>(name: string, attack: () => Promise<T>): Promise<T> {
    await health.mark();
    neighbour.mark();
    await host.eventLoopMaxMs();
    const result = await attack();
    await new Promise((r) => setTimeout(r, 200));
    const seen = await health.mark();
    const other = neighbour.mark();
    const loop = await host.eventLoopMaxMs();
    figures.push(
      `  ${name}: /health ${seen.worstMs} ms (${seen.samples} calls, ${seen.failures} failed), event loop ${loop} ms, ` +
        `other tenant ${other.requests} requests, ${other.problems.length} problems`,
    );
    expect({ attack: name, healthFailures: seen.failures, neighbourProblems: other.problems }).toEqual({
      attack: name,
      healthFailures: 0,
      neighbourProblems: [],
    });
    expect({ attack: name, worstHealthMs: Math.min(seen.worstMs, HEALTH_BOUND_MS) }).toEqual({
      attack: name,
      worstHealthMs: seen.worstMs,
    });
    return result;
  }

  it('quadratic HTML (100 KB of "<a") at creation: answered at once', async () => {
    const { status } = await during('HTML <a x50,000 at creation', () => quadraticHtmlAtCreation(ctx));
    expect(status).toBeLessThan(500);
  });

  it('quadratic HTML (64 KB of "<") at send: every message composed without stalling', async () => {
    const result = await during('HTML < x65,536 sent', () => quadraticHtmlAtSend(ctx));
    expect(result).toEqual({ created: 201, status: 'sent' });
  });

  it('nested Liquid loops: 400 naming the part', async () => {
    const result = await during('nested Liquid loops', () => nestedLoops(ctx));
    expect(result).toEqual({ status: 400, fields: ['html'] });
  });

  it('12 suppression uploads trickled and held: no connection held, the other tenant unaffected', async () => {
    expect(await during('12 trickled uploads, held 6 s', () => trickledUploads(ctx, 6000))).toEqual({ opened: 12 });
  });

  it('60,000 RCPTs on one connection: 10 accepted, the rest refused', async () => {
    const result = await during('60,000 RCPTs', () => rcptFlood(ctx));
    expect(result.accepted).toBeLessThanOrEqual(10);
    expect(result.accepted + result.refused).toBeGreaterThan(0);
  });

  it('200 connections replaying one pixel: every answer a GIF, counted once', async () => {
    const result = await during('one pixel x2,000 on 200 connections', () => pixelReplay(ctx, replayCampaign));
    expect(result.gifs).toBe(result.requests);
    await new Promise((r) => setTimeout(r, 3000));
    const report = await http('GET', `${host.host.publicUrl}/v1/campaigns/${replayCampaign}/report`, {
      token: ctx.attacker.apiKey,
    });
    expect(report.body.opens).toBe(1);
  });

  it('10,000 random mk_ keys: all 401', async () => {
    const { statuses } = await during('10,000 random keys', () => randomKeys(ctx));
    expect(statuses).toEqual({ 401: 10_000 });
  });

  it('a 10 MB body: 413', async () => {
    expect(await during('10 MB body', () => hugeBody(ctx))).toEqual({ status: 413 });
  });

  it('NUL in a field: 400 naming it; a NUL row in an import fails alone', async () => {
    const result = await during('NUL in a field and an import row', () => nulBytes(ctx));
    expect(result).toEqual({ status: 400, field: 'firstName', import: { created: 2, rejected: 1 } });
  });

  it('after the attacks the host is still healthy and the support API answers', async () => {
    await waitFor(async () => (await http('GET', `${host.host.publicUrl}/ready`)).status === 200, {
      what: 'the host to be ready',
      timeoutMs: 10000,
    });
    const staff = await http('GET', `${host.host.supportUrl}/internal/v1/tenants/${ctx.attacker.tenant.id}`, {
      token: TEST_BOOTSTRAP_TOKEN,
      headers: { 'x-justification': 'abuse suite' },
    });
    expect(staff.status).toBe(200);
  });
});
