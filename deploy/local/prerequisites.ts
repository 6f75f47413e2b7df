import { spawnSync } from 'node:child_process';

/** A missing prerequisite: the stack says what to install or start in one line and exits non-zero. */
export class PrerequisiteError extends Error {}

export function requireCommand(command: string, args: string[], install: string): void {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  if (result.error || result.status !== 0)
    throw new PrerequisiteError(`${command} is not installed or not on PATH: ${install}`);
}
