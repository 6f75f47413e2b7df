/** Thrown between batches when the process is shutting down; the purge resumes where it stopped (R-P3). */
export class PurgeStopped extends Error {
  constructor() {
    super('purge interrupted by shutdown; it resumes on the next sweep');
  }
}

/** The shutdown signal the purge checks between batches. */
export interface PurgeSignal {
  readonly stopped: boolean;
}

export function throwIfStopped(signal: PurgeSignal): void {
  if (signal.stopped) throw new PurgeStopped();
}
