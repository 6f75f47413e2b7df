import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

/** Starts bench/smtp-sink.process.ts in a child process and asks it how many messages it has received. */
export class SinkProcess {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly port: number,
  ) {}

  static start(): Promise<SinkProcess> {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'smtp-sink.process.ts')], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, SWC_NODE_PROJECT: join(__dirname, '..', 'tsconfig.json') },
    });
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
      child.stdout.once('data', (chunk: Buffer) => {
        const port = Number(/port (\d+)/.exec(chunk.toString())?.[1]);
        resolve(new SinkProcess(child, port));
      });
    });
  }

  count(): Promise<number> {
    return new Promise((resolve) => {
      this.child.stdout.once('data', (chunk: Buffer) =>
        resolve(Number(/count (\d+)/.exec(chunk.toString())?.[1] ?? 0)),
      );
      this.child.stdin.write('count\n');
    });
  }

  stop(): void {
    this.child.stdin.end();
  }
}
