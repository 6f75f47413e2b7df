import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { Injectable } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import { Databases } from '@missive/database';
import { ConflictError, InvalidInputError, NotFoundError } from '@missive/http';
import { tenantDb, type TenantContext } from '@missive/tenancy';
import { TenantKeys } from '@missive/tenant-keys';
import { DnsTxtLookup } from './dns-txt-lookup';
import { SendingDomainRepository, type SendingDomainRow } from './sending-domain.repository';
import {
  normaliseDomain,
  recordProblems,
  recordsToPublish,
  selectorFor,
  type ExpectedRecord,
  type RecordProblem,
} from './sending-domain.rules';

const generateRsaKeyPair = promisify(generateKeyPair);

/** RSA modulus of a domain's DKIM key: 2048 bits, what receivers expect (RFC 8301 floor is 1024). */
const DKIM_KEY_BITS = 2048;

/** A domain as the tenant sees it: the records to publish, and after a verification what DNS lacks. */
export interface SendingDomainView {
  row: SendingDomainRow;
  records: ExpectedRecord[];
  problems?: RecordProblem[];
}

/**
 * Sending domains (R-S9): registration makes the domain's DKIM key (sealed with the tenant's key before it is
 * stored), verification reads the published records through DNS, and the sender signs with the key of a verified
 * domain (SendingDomainKeys).
 */
@Injectable()
export class SendingDomainService {
  constructor(
    private readonly config: MissiveConfig,
    private readonly databases: Databases,
    private readonly domains: SendingDomainRepository,
    private readonly keys: TenantKeys,
    private readonly dns: DnsTxtLookup,
  ) {}

  async create(tenant: TenantContext, input: string): Promise<SendingDomainView> {
    const domain = normaliseDomain(input);
    if (!domain)
      throw new InvalidInputError('Invalid sending domain', [{ field: 'domain', reason: 'not a domain name' }]);
    const { publicKey, privateKey } = await generateRsaKeyPair('rsa', {
      modulusLength: DKIM_KEY_BITS,
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const sealed = await this.keys.seal(tenant.region, tenant.id, privateKey);
    const row = await tenantDb(this.databases, tenant, (m) =>
      this.domains.insert(m, {
        tenant_id: tenant.id,
        domain,
        selector: selectorFor(new Date()),
        public_key: publicKey.toString('base64'),
        private_key_sealed: sealed,
      }),
    );
    if (!row) throw new ConflictError('domain_exists', 'This sending domain is registered already');
    return this.view(row);
  }

  async list(tenant: TenantContext): Promise<SendingDomainView[]> {
    const rows = await tenantDb(this.databases, tenant, (m) => this.domains.list(m, tenant.id));
    return rows.map((row) => this.view(row));
  }

  /**
   * Reads the domain's records through DNS and stores the outcome: verified when all three are as published,
   * else pending, with the records at fault named.
   */
  async verify(tenant: TenantContext, input: string): Promise<SendingDomainView> {
    const current = await this.find(tenant, input);
    const records = this.records(current);
    const answers = new Map<string, string[] | null>();
    const failed: RecordProblem[] = [];
    for (const name of new Set(records.map((r) => r.name))) {
      try {
        answers.set(name, await this.dns.txt(name));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        for (const r of records.filter((x) => x.name === name))
          failed.push({ record: r.kind, name, reason: `DNS did not answer (${code})` });
      }
    }
    const failedNames = new Set(failed.map((p) => p.name));
    const problems = [
      ...failed,
      ...recordProblems(
        records.filter((r) => !failedNames.has(r.name)),
        answers,
      ),
    ];
    const status = problems.length === 0 ? 'verified' : 'pending';
    const row = await tenantDb(this.databases, tenant, (m) =>
      this.domains.setStatus(m, tenant.id, current.domain, status),
    );
    if (!row) throw new NotFoundError('Sending domain');
    return { ...this.view(row), problems };
  }

  async remove(tenant: TenantContext, input: string): Promise<void> {
    const domain = normaliseDomain(input);
    const removed =
      domain && (await tenantDb(this.databases, tenant, (m) => this.domains.remove(m, tenant.id, domain)));
    if (!removed) throw new NotFoundError('Sending domain');
  }

  /** Another tenant's domain answers as one that does not exist (R-T1). */
  private async find(tenant: TenantContext, input: string): Promise<SendingDomainRow> {
    const domain = normaliseDomain(input);
    const row = domain && (await tenantDb(this.databases, tenant, (m) => this.domains.find(m, tenant.id, domain)));
    if (!row) throw new NotFoundError('Sending domain');
    return row;
  }

  private records(row: SendingDomainRow): ExpectedRecord[] {
    return recordsToPublish(row.domain, row.selector, row.public_key, this.config.sendingDomains.spfInclude);
  }

  private view(row: SendingDomainRow): SendingDomainView {
    return { row, records: this.records(row) };
  }
}
