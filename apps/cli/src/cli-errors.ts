/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  /** The API answered with an error (4xx/5xx): the message and details are printed. */
  api: 1,
  /** Bad usage: a missing option, an unreadable file. */
  usage: 2,
  /** The API could not be reached. */
  unreachable: 3,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

/** An error answer of the API: `{error, message, details}` as API.md defines it. */
export function apiError(status: number, body: unknown): CliError {
  const b = (body ?? {}) as { error?: string; message?: string; details?: { field?: string; reason?: string }[] };
  const details = (b.details ?? []).map((d) => `${d.field ? `${d.field}: ` : ''}${d.reason ?? ''}`).join('; ');
  const text = `${status} ${b.error ?? 'error'}: ${b.message ?? 'the API refused the request'}${details ? ` (${details})` : ''}`;
  return new CliError(text, EXIT.api, body);
}
