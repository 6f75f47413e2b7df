import { Controller, Get, Module, Param } from '@nestjs/common';
import autocannon from 'autocannon';
import { closeAdminPools, createTestTenant, http, startTestServices, TEST_BOOTSTRAP_TOKEN } from '@missive/testing';
import type { TenantContext } from '@missive/tenancy';
import { ContactErasure, ContactEvents, ErasureRepository } from '@missive/contact-domain';
import { ContactsRepository } from '../apps/contacts/src/contacts/contacts.repository';
import { ContactsService } from '../apps/contacts/src/contacts/contacts.service';
import { contactsService } from '../apps/contacts/src/service';
import { supportService } from '../apps/support/src/service';
import type { BenchRow } from './bench-report';

let benchTenant: TenantContext | null = null;

/**
 * The same read as `GET /v1/contacts/{id}` with the key check (API-key guard and per-tenant rate limit) skipped:
 * the tenant is fixed instead of resolved. Exists only inside this benchmark process.
 */
@Controller('bench/contacts')
class UnauthenticatedContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get(':id')
  get(@Param('id') id: string) {
    return this.contacts.get(benchTenant as never, id);
  }
}

// The contacts feature module keeps its service private; the bench builds its own instance of the same classes.
@Module({
  controllers: [UnauthenticatedContactsController],
  providers: [ContactsService, ContactsRepository, ContactEvents, ContactErasure, ErasureRepository],
})
class UnauthenticatedContactsModule {}

async function load(url: string, headers: Record<string, string>): Promise<autocannon.Result> {
  return autocannon({ url, connections: 20, duration: 8, headers });
}

/**
 * Issue 4: the cost of the key check. Authenticated `GET /v1/contacts/{id}` against the same handler without the
 * guard, same process, same run; alternated twice to spread machine noise over both.
 */
export async function runAuthCostBench(): Promise<BenchRow[]> {
  const services = await startTestServices(
    [supportService, contactsService, { name: 'bench', publicModules: [UnauthenticatedContactsModule] }],
    { SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN, LOG_LEVEL: 'error', TENANT_RATE_LIMIT_PER_SECOND: '1000000' },
  );
  try {
    const t = await createTestTenant(services, { region: 'NA' });
    const created = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: t.apiKey,
      body: { email: `bench-${Date.now()}@example.com`, lawfulBasis: 'contract' },
    });
    const rows = await services.platform.databases.global.query('SELECT id, region FROM tenants WHERE id = $1', [
      t.tenant.id,
    ]);
    benchTenant = {
      id: rows[0].id,
      region: rows[0].region,
      status: 'active',
      transferSafeguard: null,
      terminatedAt: null,
      purgeDueAt: null,
      apiKeyId: t.apiKeyId,
    };
    const authed = `${services.publicUrl}/v1/contacts/${created.body.id}`;
    const bare = `${services.publicUrl}/bench/contacts/${created.body.id}`;
    await load(authed, { authorization: `Bearer ${t.apiKey}` }); // warm-up
    const runs = { authed: [] as autocannon.Result[], bare: [] as autocannon.Result[] };
    for (let round = 0; round < 2; round++) {
      runs.authed.push(await load(authed, { authorization: `Bearer ${t.apiKey}` }));
      runs.bare.push(await load(bare, {}));
    }
    const rate = (rs: autocannon.Result[]) => rs.reduce((a, r) => a + r.requests.average, 0) / rs.length;
    const p99 = (rs: autocannon.Result[]) => rs.reduce((a, r) => a + r.latency.p99, 0) / rs.length;
    const errors = [...runs.authed, ...runs.bare].reduce((a, r) => a + r.non2xx + r.errors, 0);
    const authedRate = rate(runs.authed);
    const bareRate = rate(runs.bare);
    return [
      {
        metric: 'GET /v1/contacts/{id} with key check',
        value: Math.round(authedRate),
        unit: 'req/s',
        note: `p99 ${p99(runs.authed).toFixed(1)} ms`,
      },
      {
        metric: 'same handler, key check skipped',
        value: Math.round(bareRate),
        unit: 'req/s',
        note: `p99 ${p99(runs.bare).toFixed(1)} ms`,
      },
      {
        metric: 'key check cost',
        value: Number(((1 - authedRate / bareRate) * 100).toFixed(1)),
        unit: '%',
        note: 'goal < 10 %',
      },
      { metric: 'non-2xx or errors', value: errors, unit: 'responses', note: 'must be 0' },
    ];
  } finally {
    await services.stop();
    await closeAdminPools();
  }
}
