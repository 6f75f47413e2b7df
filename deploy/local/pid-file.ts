import { existsSync, readFileSync, rmSync } from 'node:fs';

/**
 * Stops the process whose id a pid file holds (a broker or Redis this project started in the background):
 * SIGTERM, then SIGKILL if it is still alive after `graceMs`. A no-op when there is no pid file or no process.
 */
export async function stopByPidFile(pidFile: string, graceMs: number): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  rmSync(pidFile, { force: true });
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive()) process.kill(pid, 'SIGKILL');
}
