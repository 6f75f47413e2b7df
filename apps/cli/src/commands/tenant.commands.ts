import { Command, Option } from 'commander';
import { globalsOf, supportClient } from '../context';
import { print } from '../output';

const tenantPath = (id: string, rest = '') => `/internal/v1/tenants/${encodeURIComponent(id)}${rest}`;

/** `missive tenants …`: create, show, terminate, reactivate, legal hold (R-A2, R-P1, R-P5). */
export function tenantCommands(): Command {
  const tenants = new Command('tenants').description('tenant lifecycle (support API)');

  tenants
    .command('create')
    .description('create a tenant; its region is fixed for good')
    .requiredOption('--name <name>', 'client company name')
    .addOption(new Option('--region <region>', 'home region').choices(['NA', 'EEA']).makeOptionMandatory())
    .addOption(new Option('--safeguard <mechanism>', 'transfer safeguard for EEA contacts').choices(['SCC', 'BCR']))
    .action(async (o: { name: string; region: string; safeguard?: string }, cmd: Command) => {
      const body = { name: o.name, region: o.region, ...(o.safeguard ? { transferSafeguard: o.safeguard } : {}) };
      print(await supportClient(cmd).request('POST', '/internal/v1/tenants', body), globalsOf(cmd).json);
    });

  tenants
    .command('show <tenantId>')
    .description('status, termination and purge dates')
    .action(async (id: string, _: unknown, cmd: Command) => {
      print(await supportClient(cmd).request('GET', tenantPath(id)), globalsOf(cmd).json);
    });

  tenants
    .command('terminate <tenantId>')
    .description('record the contract termination; the purge is due 14 days after --at')
    .requiredOption('--at <iso-time>', 'terminatedAt, past or future (ISO-8601)')
    .option('--reason <text>', 'why (audited)')
    .option('--confirm-immediate-purge', 'needed when --at is more than 14 days ago: the purge then starts at once')
    .action(async (id: string, o: { at: string; reason?: string; confirmImmediatePurge?: boolean }, cmd: Command) => {
      const body = {
        terminatedAt: o.at,
        ...(o.reason ? { reason: o.reason } : {}),
        ...(o.confirmImmediatePurge ? { confirmImmediatePurge: true } : {}),
      };
      print(await supportClient(cmd).request('POST', tenantPath(id, '/termination'), body), globalsOf(cmd).json);
    });

  tenants
    .command('reactivate <tenantId>')
    .description('cancel the termination (only before purgeDueAt)')
    .action(async (id: string, _: unknown, cmd: Command) => {
      print(await supportClient(cmd).request('DELETE', tenantPath(id, '/termination')), globalsOf(cmd).json);
    });

  tenants
    .command('hold <tenantId>')
    .description('place a legal hold: the purge waits until it is released')
    .requiredOption('--reason <text>', 'the legal ground (audited)')
    .action(async (id: string, o: { reason: string }, cmd: Command) => {
      const answer = await supportClient(cmd).request('POST', tenantPath(id, '/legal-hold'), { reason: o.reason });
      print(answer, globalsOf(cmd).json);
    });

  tenants
    .command('release <tenantId>')
    .description('release the legal hold')
    .action(async (id: string, _: unknown, cmd: Command) => {
      print(await supportClient(cmd).request('DELETE', tenantPath(id, '/legal-hold')), globalsOf(cmd).json);
    });

  return tenants;
}

/** `missive keys …`: API keys (shown once). */
export function keyCommands(): Command {
  const keys = new Command('keys').description('tenant API keys');
  keys
    .command('issue <tenantId>')
    .description('issue a key; it is shown only now')
    .action(async (id: string, _: unknown, cmd: Command) => {
      print(await supportClient(cmd).request('POST', tenantPath(id, '/api-keys')), globalsOf(cmd).json);
    });
  keys
    .command('revoke <tenantId> <keyId>')
    .description('revoke a key (every instance refuses it within a second)')
    .action(async (id: string, keyId: string, _: unknown, cmd: Command) => {
      await supportClient(cmd).request('DELETE', tenantPath(id, `/api-keys/${encodeURIComponent(keyId)}`));
      print({ revoked: keyId }, globalsOf(cmd).json);
    });
  return keys;
}

/** `missive purge …`: where a tenant's purge stands, and its certificate (R-P4). */
export function purgeCommands(): Command {
  const purge = new Command('purge').description('the two-week purge');
  purge
    .command('status <tenantId>')
    .description('status, purgeDueAt, legal hold, and the certificate once purged')
    .action(async (id: string, _: unknown, cmd: Command) => {
      const client = supportClient(cmd);
      const tenant = await client.request<Record<string, unknown>>('GET', tenantPath(id));
      const certificate =
        tenant.status === 'purged' ? await client.request('GET', tenantPath(id, '/purge-certificate')) : undefined;
      print(
        {
          tenantId: tenant.id,
          status: tenant.status,
          terminatedAt: tenant.terminatedAt ?? null,
          purgeDueAt: tenant.purgeDueAt ?? null,
          legalHold: tenant.legalHold ?? null,
          purgedAt: tenant.purgedAt ?? null,
          ...(certificate ? { certificate } : {}),
        },
        globalsOf(cmd).json,
      );
    });
  purge
    .command('certificate <tenantId>')
    .description('the purge certificate: dates and rows deleted per store')
    .action(async (id: string, _: unknown, cmd: Command) => {
      print(await supportClient(cmd).request('GET', tenantPath(id, '/purge-certificate')), globalsOf(cmd).json);
    });
  return purge;
}

/** `missive audit …`: the hash-chained audit log (R-A3). */
export function auditCommands(): Command {
  const audit = new Command('audit').description('the audit log');
  audit
    .command('verify')
    .description('check the hash chain; exit 1 if it is broken')
    .action(async (_: unknown, cmd: Command) => {
      const result = await supportClient(cmd).request<{ ok: boolean }>('GET', '/internal/v1/audit/verify');
      print(result, globalsOf(cmd).json);
      if (!result.ok) process.exitCode = 1;
    });
  audit
    .command('list')
    .description('latest entries')
    .option('--tenant <tenantId>', 'only this tenant')
    .option('--limit <n>', 'how many', '20')
    .action(async (o: { tenant?: string; limit: string }, cmd: Command) => {
      const query = new URLSearchParams({ limit: o.limit, ...(o.tenant ? { tenantId: o.tenant } : {}) });
      print(await supportClient(cmd).request('GET', `/internal/v1/audit?${query.toString()}`), globalsOf(cmd).json);
    });
  return audit;
}
