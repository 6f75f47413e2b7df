import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Databases } from '@missive/database';
import { NotFoundError } from '@missive/http';
import { AuditLog, generateSecret, hashSecret } from '@missive/tenancy';
import type { IssueStaffTokenDto } from './dto/issue-staff-token.dto';
import type { StaffCall } from './staff-call';
import { StaffRepository } from './staff.repository';
import { actorOf, STAFF_TOKEN_PREFIX } from './staff.rules';

/** Admins issue and revoke staff tokens (R-A1); the token is shown once and stored hashed (R-X1). */
@Injectable()
export class StaffTokensService {
  constructor(
    private readonly databases: Databases,
    private readonly staffRepository: StaffRepository,
    private readonly audit: AuditLog,
  ) {}

  async issue(call: StaffCall, dto: IssueStaffTokenDto): Promise<{ id: string; token: string }> {
    const id = randomUUID();
    const token = generateSecret(STAFF_TOKEN_PREFIX);
    await this.databases.global.transaction(async (manager) => {
      await this.staffRepository.insert(manager, {
        id,
        name: dto.name,
        role: dto.role,
        region: dto.region,
        tokenHash: hashSecret(token),
        createdBy: actorOf(call.staff),
      });
      await this.audit.append(
        {
          actor: actorOf(call.staff),
          action: 'staff-token.issued',
          details: { staffId: id, role: dto.role, region: dto.region },
        },
        manager,
      );
    });
    return { id, token };
  }

  async revoke(call: StaffCall, id: string): Promise<void> {
    await this.databases.global.transaction(async (manager) => {
      const result = await this.staffRepository.revoke(manager, id);
      if (result === 'missing') throw new NotFoundError('Staff token');
      if (result === 'revoked') {
        await this.audit.append(
          { actor: actorOf(call.staff), action: 'staff-token.revoked', details: { staffId: id } },
          manager,
        );
      }
    });
  }
}
