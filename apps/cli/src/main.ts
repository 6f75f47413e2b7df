import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './cli-errors';
import { importCommand } from './commands/import.command';
import { auditCommands, keyCommands, purgeCommands, tenantCommands } from './commands/tenant.commands';

/**
 * `missive` — the admin CLI for support staff and operators (issue 10): tenants, keys, termination and legal
 * holds, purge status and certificates, audit verification, and contact imports with live progress. It speaks
 * only the documented HTTP APIs (support with a staff token, public with an API key). Exit codes: 0 ok, 1 the
 * API refused, 2 usage, 3 unreachable.
 */
export function buildProgram(): Command {
  const program = new Command('missive')
    .description('Missive admin CLI')
    .option('--support-url <url>', 'support API', process.env.MISSIVE_SUPPORT_URL ?? 'http://127.0.0.1:3100')
    .option('--api-url <url>', 'public API (imports)', process.env.MISSIVE_API_URL ?? 'http://127.0.0.1:3000')
    .option('--token <staffToken>', 'staff token (or MISSIVE_STAFF_TOKEN)', process.env.MISSIVE_STAFF_TOKEN)
    .option('--api-key <key>', "a tenant's API key, for imports (or MISSIVE_API_KEY)", process.env.MISSIVE_API_KEY)
    .option('--justification <text>', 'X-Justification for a tenant of another region (audited)')
    .option('--json', 'machine-readable output', false)
    .exitOverride()
    .showHelpAfterError();
  program.addCommand(tenantCommands());
  program.addCommand(keyCommands());
  program.addCommand(purgeCommands());
  program.addCommand(auditCommands());
  program.addCommand(importCommand());
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`missive: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`missive: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.api;
  }
}

if (require.main === module || process.argv[1]?.endsWith('missive.js')) {
  void run(process.argv).then((code) => process.exit(code));
}
