import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Databases } from '@missive/database';
import { NotFoundError } from '@missive/http';
import { AuditLog, generateSecret, hashSecret } from '@missive/tenancy';
import type { IssueStaffTokenDto } from './dto/issue-staff-token.dto';
import { justificationOf, type StaffCall } from './staff-call';
import { StaffRepository } from './staff.repository';
import { actorOf, decideStaffAction, STAFF_TOKEN_PREFIX } from './staff.rules';

/** Admins issue and revoke staff tokens (R-A1); the token is shown once and stored hashed (R-X1). */
@Injectable()
export class StaffTokensService {
  constructor(
    private readonly databases: Databases,
    private readonly staffRepository: StaffRepository,
    private readonly audit: AuditLog,
  ) {}

  /** R-A1: for the issuer's region only and at most its role. */
  async issue(call: StaffCall, dto: IssueStaffTokenDto): Promise<{ id: string; token: string }> {
    call.authorize(
      decideStaffAction(
        call.staff,
        { kind: 'staff-token-issue', role: dto.role, region: dto.region },
        call.justificationHeader,
      ),
    );
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

  /** R-A1: another region's staff token only with a justification (a leaked token must be stoppable at once). */
  async revoke(call: StaffCall, id: string): Promise<void> {
    await this.databases.global.transaction(async (manager) => {
      const staff = await this.staffRepository.lockById(manager, id);
      if (!staff) throw new NotFoundError('Staff token');
      call.authorize(
        decideStaffAction(
          call.staff,
          { kind: 'staff-token-revoke', role: staff.role, region: staff.region },
          call.justificationHeader,
        ),
      );
      const result = await this.staffRepository.revoke(manager, id);
      if (result === 'revoked') {
        await this.audit.append(
          {
            actor: actorOf(call.staff),
            action: 'staff-token.revoked',
            crossRegion: call.crossRegion,
            details: { staffId: id, role: staff.role, region: staff.region, ...justificationOf(call) },
          },
          manager,
        );
      }
    });
  }
}
