import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';

/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (clock ticks, USER_HZ = 100); 0 once
 * it is gone. The fields are read after the last `)`, since the command name may itself hold one.
 */
export function cpuSeconds(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Stops a child process: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
  });
}
