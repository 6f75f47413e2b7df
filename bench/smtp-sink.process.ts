import { DevMailSink } from '@missive/dev-mail';

/**
 * An SMTP sink in its own process for the benchmarks, so the sink's work does not share Missive's event loop.
 * Prints `port <n>` when listening; answers `count` on stdin with the number received so far.
 */
async function main(): Promise<void> {
  const sink = new DevMailSink({ port: 0, keep: 10 });
  await sink.start();
  process.stdout.write(`port ${sink.port}\n`);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (line: string) => {
    if (line.trim() === 'count') process.stdout.write(`count ${sink.total}\n`);
  });
  process.stdin.on('end', () => void sink.stop().then(() => process.exit(0)));
}

void main();
