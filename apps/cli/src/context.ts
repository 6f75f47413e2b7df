import type { Command } from 'commander';
import { ApiClient } from './api-client';
import { CliError, EXIT } from './cli-errors';

/** The program-wide options (`missive --help`), with their environment fallbacks. */
export interface GlobalOptions {
  supportUrl: string;
  apiUrl: string;
  token?: string;
  apiKey?: string;
  justification?: string;
  json: boolean;
}

export function globalsOf(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** The support API as the staff token's holder. */
export function supportClient(command: Command): ApiClient {
  const o = globalsOf(command);
  if (!o.token) throw new CliError('a staff token is needed: --token or MISSIVE_STAFF_TOKEN', EXIT.usage);
  return new ApiClient({ baseUrl: o.supportUrl, token: o.token, justification: o.justification });
}

/** The public API as a tenant (its API key). */
export function publicClient(command: Command): ApiClient {
  const o = globalsOf(command);
  if (!o.apiKey) throw new CliError('a tenant API key is needed: --api-key or MISSIVE_API_KEY', EXIT.usage);
  return new ApiClient({ baseUrl: o.apiUrl, token: o.apiKey });
}
