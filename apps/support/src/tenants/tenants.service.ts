import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TENANT_API_KEY_REVOKED, TENANT_CHANGED, type ApiKeyRevokedV1, type TenantChangedV1 } from '@missive/contracts';
import { Databases } from '@missive/database';
import { ConflictError, NotFoundError } from '@missive/http';
import { appendToOutbox } from '@missive/kafka';
import { AuditLog, effectiveStatus, ForbiddenError, generateApiKey, hashSecret } from '@missive/tenancy';
import type { StaffCall } from '../staff/staff-call';
import { actorOf, regionAccess } from '../staff/staff.rules';
import type { ApiKeyIssuedDto, CreateTenantDto, TenantDto } from './dto/tenant.dto';
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
    private readonly audit: AuditLog,
  ) {}

  async create(call: StaffCall, dto: CreateTenantDto): Promise<TenantDto> {
    const id = randomUUID();
    call.tenantId = id;
    const tenant = await this.databases.global.transaction(async (manager) => {
      const created = await this.tenants.insert(manager, {
        id,
        name: dto.name,
        region: dto.region,
        transferSafeguard: dto.transferSafeguard ?? null,
      });
      await this.audit.append(
        { actor: actorOf(call.staff), action: 'tenant.created', tenantId: id, details: { region: dto.region } },
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

  /** R-T4: a tenant of another region is readable only with a justification, audited as cross-region. */
  async get(call: StaffCall, id: string): Promise<TenantDto> {
    const tenant = await this.load(call, id, 'read');
    return toTenantDto(tenant);
  }

  /** R-X1: 32 random bytes, shown once here, stored as SHA-256. */
  async issueApiKey(call: StaffCall, tenantId: string): Promise<ApiKeyIssuedDto> {
    const tenant = await this.load(call, tenantId, 'write');
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
          details: { apiKeyId: id },
        },
        manager,
      );
    });
    return { id, key };
  }

  /** The revocation travels as an event so every instance drops the key from its cache at once (R-X1). */
  async revokeApiKey(call: StaffCall, tenantId: string, keyId: string): Promise<void> {
    const tenant = await this.load(call, tenantId, 'write');
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
          details: { apiKeyId: keyId },
        },
        manager,
      );
      const data: ApiKeyRevokedV1 = { tenantId, apiKeyId: keyId };
      await appendToOutbox(manager, [{ type: TENANT_API_KEY_REVOKED, region: tenant.region, tenantId, data }]);
    });
  }

  /** The tenant, after the caller's region access was checked (R-T4); 404 when unknown. */
  async load(call: StaffCall, id: string, kind: 'read' | 'write'): Promise<TenantRecord> {
    call.tenantId = id;
    const tenant = await this.tenants.findById(id);
    if (!tenant) throw new NotFoundError('Tenant');
    const access = regionAccess(call.staff, tenant.region, call.justificationHeader, kind);
    if (!access.allowed) {
      throw new ForbiddenError('justification_required', access.reason, [
        { field: 'X-Justification', reason: access.reason },
      ]);
    }
    call.crossRegion = access.crossRegion;
    call.justification = access.justification;
    return tenant;
  }
}
