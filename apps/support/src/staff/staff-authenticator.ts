import { Injectable } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import { hashesEqual, hashSecret, secretsEqual, UnauthorizedError } from '@missive/tenancy';
import { StaffRepository } from './staff.repository';
import { isWellFormedStaffToken, type StaffIdentity } from './staff.rules';

/** SUPPORT_BOOTSTRAP_TOKEN stands for this identity (API.md): an admin of region EEA. */
const BOOTSTRAP_STAFF: StaffIdentity = { id: 'bootstrap', name: 'bootstrap', role: 'admin', region: 'EEA' };

/**
 * A staff token → who holds it (R-A1): the bootstrap token, or an issued token looked up by SHA-256 and compared
 * in constant time. Shared by the support API's guard and the queue board.
 */
@Injectable()
export class StaffAuthenticator {
  constructor(
    private readonly config: MissiveConfig,
    private readonly staffRepository: StaffRepository,
  ) {}

  async authenticate(token: string): Promise<StaffIdentity> {
    const bootstrap = this.config.support.bootstrapToken;
    if (bootstrap && secretsEqual(token, bootstrap)) return BOOTSTRAP_STAFF;
    if (!isWellFormedStaffToken(token)) throw new UnauthorizedError('not a staff token');
    const hash = hashSecret(token);
    const staff = await this.staffRepository.findActiveByTokenHash(hash);
    if (!staff || !hashesEqual(staff.tokenHash, hash)) throw new UnauthorizedError('unknown or revoked staff token');
    return { id: staff.id, name: staff.name, role: staff.role, region: staff.region };
  }
}
