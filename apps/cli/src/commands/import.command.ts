import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { SingleBar, Presets } from 'cli-progress';
import { Command, Option } from 'commander';
import { CliError, EXIT } from '../cli-errors';
import { globalsOf, publicClient } from '../context';
import { print } from '../output';

interface ImportStatus {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  total: number;
  created: number;
  updated: number;
  rejected: number;
  errors: { row: number; field?: string; reason: string }[];
}

const CONTENT_TYPES = { csv: 'text/csv', ndjson: 'application/x-ndjson' } as const;

/** Records in the file (lines, less the CSV header), counted while streaming: the progress bar's total. */
async function countRecords(path: string, format: 'csv' | 'ndjson'): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    if (chunk.length > 0) last = chunk[chunk.length - 1];
  }
  if (last !== 10) lines++;
  return Math.max(0, format === 'csv' ? lines - 1 : lines);
}

/** `missive import <file>`: uploads a contacts file for the tenant of --api-key and follows it to the end. */
export function importCommand(): Command {
  return new Command('import')
    .description("import contacts for the API key's tenant, with live progress")
    .argument('<file>', 'CSV (header row) or NDJSON')
    .addOption(new Option('--format <format>', 'default: from the extension').choices(['csv', 'ndjson']))
    .option('--poll-ms <ms>', 'how often to ask for progress', '500')
    .action(async (file: string, o: { format?: 'csv' | 'ndjson'; pollMs: string }, cmd: Command) => {
      const { json } = globalsOf(cmd);
      const client = publicClient(cmd);
      const format = o.format ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'ndjson');
      const size = await stat(file).then(
        (s) => s.size,
        () => {
          throw new CliError(`cannot read ${file}`, EXIT.usage);
        },
      );
      const expected = await countRecords(file, format);
      const accepted = await client.request<{ id: string }>('POST', '/v1/imports', undefined, {
        contentType: CONTENT_TYPES[format],
        data: Readable.toWeb(createReadStream(file)) as unknown as Buffer,
        length: size,
      });
      const bar =
        !json && process.stderr.isTTY
          ? new SingleBar(
              { format: 'import |{bar}| {value}/{total} rows · {status}', stream: process.stderr },
              Presets.shades_classic,
            )
          : null;
      bar?.start(expected, 0, { status: 'queued' });
      let status: ImportStatus;
      let lastLine = 0;
      for (;;) {
        status = await client.request<ImportStatus>('GET', `/v1/imports/${accepted.id}`);
        bar?.update(status.total, { status: status.status });
        if (!bar && !json && Date.now() - lastLine > 2000) {
          lastLine = Date.now();
          process.stderr.write(`import ${accepted.id}: ${status.status} ${status.total}/${expected} rows\n`);
        }
        if (status.status === 'done' || status.status === 'failed') break;
        await sleep(Number(o.pollMs));
      }
      bar?.stop();
      print(status, json);
      if (status.status === 'failed') process.exitCode = EXIT.api;
    });
}
