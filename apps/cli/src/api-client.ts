import { apiError, CliError, EXIT } from './cli-errors';

export interface ApiClientOptions {
  baseUrl: string;
  token: string;
  justification?: string;
}

/** JSON over HTTP to the support or public API, with the CLI's error mapping (exit codes in cli-errors.ts). */
export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    raw?: { contentType: string; data: Buffer; length?: number },
  ): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}` };
    if (this.options.justification) headers['x-justification'] = this.options.justification;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (raw) headers['content-type'] = raw.contentType;
    if (raw?.length !== undefined) headers['content-length'] = String(raw.length);
    let res: Response;
    try {
      res = await fetch(new URL(path, this.options.baseUrl), {
        method,
        headers,
        body: raw ? raw.data : body !== undefined ? JSON.stringify(body) : undefined,
        // A streamed upload (an import file) needs half-duplex in Node's fetch.
        ...(raw ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
      const code = cause?.code ?? cause?.errors?.[0]?.code ?? (error as Error).message;
      throw new CliError(`cannot reach ${this.options.baseUrl} (${code})`, EXIT.unreachable);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    if (!res.ok) throw apiError(res.status, parsed);
    return parsed as T;
  }
}
