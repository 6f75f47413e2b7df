import { closeAdminPools } from '@missive/testing';
import { machine, record, type BenchRow } from './bench-report';
import { runAbuseBench } from './abuse.bench';
import { runAuthCostBench } from './auth-cost.bench';
import { runBounceFeedbackBench } from './bounce-feedback.bench';
import { runCampaignSendBench } from './campaign-send.bench';
import { runImportBench } from './import.bench';
import { runOutboxRelayBench } from './outbox-relay.bench';
import { runPurgeBench } from './purge.bench';
import { runSingleNodeBench } from './single-node.bench';
import { runTenantReadBench } from './tenant-read.bench';
import { runTrackingBench } from './tracking.bench';
import { runPropagationBench } from './unsubscribe-propagation.bench';

const IMPORT_UNITS: Record<string, string> = {
  rows: 'rows',
  csvMegabytes: 'MB',
  csvRowsPerSecond: 'rows/s',
  ndjsonRowsPerSecond: 'rows/s',
  floorRowsPerSecond: 'rows/s',
  rawCopyRowsPerSecond: 'rows/s',
  csvToFloorRatio: '×',
  ndjsonToFloorRatio: '×',
  peakRssMegabytes: 'MB',
  baselineRssMegabytes: 'MB',
};

/** `npm run bench [name…]`: runs the named benches (all by default), records JSON and docs/benchmarks.md. */
const BENCHES: Record<string, () => Promise<BenchRow[]>> = {
  'outbox-relay': runOutboxRelayBench,
  'auth-cost': runAuthCostBench,
  import: async () =>
    Object.entries(await runImportBench()).map(([metric, value]) => ({
      metric,
      value,
      unit: IMPORT_UNITS[metric] ?? '',
    })),
  'campaign-send': runCampaignSendBench,
  tracking: runTrackingBench,
  'unsubscribe-propagation': runPropagationBench,
  purge: runPurgeBench,
  abuse: runAbuseBench,
  'bounce-feedback': runBounceFeedbackBench,
  'single-node': runSingleNodeBench,
  'tenant-read': runTenantReadBench,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length ? wanted : Object.keys(BENCHES);
  for (const name of names) {
    const bench = BENCHES[name];
    if (!bench) throw new Error(`unknown bench "${name}" (have: ${Object.keys(BENCHES).join(', ')})`);
    process.stdout.write(`bench ${name}…\n`);
    const rows = await bench();
    record({ bench: name, at: new Date().toISOString(), machine: machine(), rows });
    for (const row of rows)
      process.stdout.write(`  ${row.metric}: ${row.value} ${row.unit}${row.note ? ` (${row.note})` : ''}\n`);
  }
  await closeAdminPools();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
