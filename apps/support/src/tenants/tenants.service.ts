import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TENANT_API_KEY_REVOKED, TENANT_CHANGED, type ApiKeyRevokedV1, type TenantChangedV1 } from '@missive/contracts';
import { Databases } from '@missive/database';
import { ConflictError, NotFoundError } from '@missive/http';
import { appendToOutbox } from '@missive/kafka';
import { AuditLog, effectiveStatus, generateApiKey, hashSecret } from '@missive/tenancy';
import { justificationOf, type StaffCall } from '../staff/staff-call';
import { actorOf, decideStaffAction } from '../staff/staff.rules';
import type { ApiKeyIssuedDto, CreateTenantDto, TenantDto } from './dto/tenant.dto';
import { TenantAccess } from './tenant-access';
import { TenantsRepository, type TenantRecord } from './tenants.repository';

export function toTenantDto(tenant: TenantRecord, now = new Date()): TenantDto {
  return {
    id: tenant.id,
    name: tenant.name,
    region: tenant.region,
    status: effectiveStatus(tenant, now),
    ...(tenant.transferSafeguard ? { transferSafeguard: tenant.transferSafeguard } : {}),
    ...(tenant.terminatedAt ? { terminatedAt: tenant.terminatedAt.toISOString() } : {}),
    ...(tenant.purgeDueAt ? { purgeDueAt: tenant.purgeDueAt.toISOString() } : {}),
    ...(tenant.purgedAt ? { purgedAt: tenant.purgedAt.toISOString() } : {}),
    ...(tenant.legalHoldReason ? { legalHold: tenant.legalHoldReason } : {}),
    createdAt: tenant.createdAt.toISOString(),
  };
}

/** Tenant lifecycle in the global directory (R-A2): create, read, API keys. Each change is audited in its transaction (R-A3). */
@Injectable()
export class TenantsService {
  constructor(
    private readonly databases: Databases,
    private readonly tenants: TenantsRepository,
    private readonly access: TenantAccess,
    private readonly audit: AuditLog,
  ) {}

  async create(call: StaffCall, dto: CreateTenantDto): Promise<TenantDto> {
    const id = randomUUID();
    call.tenantId = id;
    call.authorize(
      decideStaffAction(call.staff, { kind: 'tenant-create', region: dto.region }, call.justificationHeader),
    );
    const tenant = await this.databases.global.transaction(async (manager) => {
      const created = await this.tenants.insert(manager, {
        id,
        name: dto.name,
        region: dto.region,
        transferSafeguard: dto.transferSafeguard ?? null,
      });
      await this.audit.append(
        {
          actor: actorOf(call.staff),
          action: 'tenant.created',
          tenantId: id,
          crossRegion: call.crossRegion,
          details: { region: dto.region, ...justificationOf(call) },
        },
        manager,
      );
      const data: TenantChangedV1 = {
        tenantId: id,
        region: created.region,
        status: 'active',
        terminatedAt: null,
        purgeDueAt: null,
      };
      await appendToOutbox(manager, [{ type: TENANT_CHANGED, region: created.region, tenantId: id, data }]);
      return created;
    });
    return toTenantDto(tenant);
  }

  /** The tenant, after the caller's region access was checked (R-A1, R-T4); 404 when unknown. */
  load(call: StaffCall, id: string, kind: 'read' | 'write'): Promise<TenantRecord> {
    return this.access.load(call, id, kind);
  }

  /** R-T4: a tenant of another region is readable only with a justification, audited as cross-region. */
  async get(call: StaffCall, id: string): Promise<TenantDto> {
    const tenant = await this.access.load(call, id, 'read');
    return toTenantDto(tenant);
  }

  /** R-X1: 32 random bytes, shown once here, stored as SHA-256. */
  async issueApiKey(call: StaffCall, tenantId: string): Promise<ApiKeyIssuedDto> {
    const tenant = await this.access.load(call, tenantId, 'write');
    if (effectiveStatus(tenant, new Date()) === 'purged') {
      throw new ConflictError('tenant_purged', 'This tenant has been purged');
    }
    const id = randomUUID();
    const key = generateApiKey();
    await this.databases.global.transaction(async (manager) => {
      await this.tenants.insertApiKey(manager, { id, tenantId, keyHash: hashSecret(key) });
      await this.audit.append(
        {
          actor: actorOf(call.staff),
          action: 'api-key.issued',
          tenantId,
          crossRegion: call.crossRegion,
          details: { apiKeyId: id, ...justificationOf(call) },
        },
        manager,
      );
    });
    return { id, key };
  }

  /** The revocation travels as an event so every instance drops the key from its cache at once (R-X1). */
  async revokeApiKey(call: StaffCall, tenantId: string, keyId: string): Promise<void> {
    const tenant = await this.access.load(call, tenantId, 'write');
    await this.databases.global.transaction(async (manager) => {
      const result = await this.tenants.revokeApiKey(manager, tenantId, keyId);
      if (result === 'missing') throw new NotFoundError('API key');
      if (result === 'already') return;
      await this.audit.append(
        {
          actor: actorOf(call.staff),
          action: 'api-key.revoked',
          tenantId,
          crossRegion: call.crossRegion,
          details: { apiKeyId: keyId, ...justificationOf(call) },
        },
        manager,
      );
      const data: ApiKeyRevokedV1 = { tenantId, apiKeyId: keyId };
      await appendToOutbox(manager, [{ type: TENANT_API_KEY_REVOKED, region: tenant.region, tenantId, data }]);
    });
  }
}
