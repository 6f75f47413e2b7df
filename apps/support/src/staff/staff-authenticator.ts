import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import type { Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { hashesEqual, hashSecret, secretsEqual, UnauthorizedError } from '@missive/tenancy';
import { StaffRepository } from './staff.repository';
import { bootstrapState, isWellFormedStaffToken, type StaffIdentity } from './staff.rules';

/**
 * A staff token → who holds it (R-A1): the bootstrap token, or an issued token looked up by SHA-256 and compared
 * in constant time. Shared by the support API's guard and the queue board.
 */
@Injectable()
export class StaffAuthenticator implements OnApplicationBootstrap {
  /** SUPPORT_BOOTSTRAP_TOKEN stands for this identity (API.md): an admin, of region EEA unless configured. */
  private readonly bootstrapStaff: StaffIdentity;
  private readonly startedAtMs = Date.now();
  /** Sticky: once a real admin of the bootstrap's region exists, the bootstrap token stays retired. */
  private adminSeen = false;

  constructor(
    private readonly config: MissiveConfig,
    private readonly staffRepository: StaffRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.bootstrapStaff = { id: 'bootstrap', name: 'bootstrap', role: 'admin', region: config.support.bootstrapRegion };
  }

  onApplicationBootstrap(): void {
    const { bootstrapToken, bootstrapTtlSeconds, retireBootstrapOnAdmin, bootstrapRegion } = this.config.support;
    if (!bootstrapToken) return;
    const until = new Date(this.startedAtMs + bootstrapTtlSeconds * 1000).toISOString();
    this.logger.warn(
      { until, region: bootstrapRegion, retiresOnAdmin: retireBootstrapOnAdmin },
      'SUPPORT_BOOTSTRAP_TOKEN is set: it is accepted as an admin until then; issue named admin staff tokens and unset it',
    );
  }

  async authenticate(token: string): Promise<StaffIdentity> {
    const bootstrap = this.config.support.bootstrapToken;
    if (bootstrap && secretsEqual(token, bootstrap)) return this.bootstrapIdentity();
    if (!isWellFormedStaffToken(token)) throw new UnauthorizedError('not a staff token');
    const hash = hashSecret(token);
    const staff = await this.staffRepository.findActiveByTokenHash(hash);
    if (!staff || !hashesEqual(staff.tokenHash, hash)) throw new UnauthorizedError('unknown or revoked staff token');
    return { id: staff.id, name: staff.name, role: staff.role, region: staff.region };
  }

  /** R-A1, R-X2: the bootstrap admin, while its TTL runs and (in production) until a real admin exists. */
  private async bootstrapIdentity(): Promise<StaffIdentity> {
    const { bootstrapTtlSeconds, retireBootstrapOnAdmin } = this.config.support;
    if (retireBootstrapOnAdmin && !this.adminSeen) {
      this.adminSeen = await this.staffRepository.activeAdminExists(this.bootstrapStaff.region);
    }
    const state = bootstrapState({
      startedAtMs: this.startedAtMs,
      nowMs: Date.now(),
      ttlSeconds: bootstrapTtlSeconds,
      retireOnAdmin: retireBootstrapOnAdmin,
      adminExists: this.adminSeen,
    });
    if (state === 'expired') {
      throw new UnauthorizedError(
        'the bootstrap token has expired (SUPPORT_BOOTSTRAP_TTL_SECONDS): use an issued staff token',
      );
    }
    if (state === 'retired') {
      throw new UnauthorizedError(
        'the bootstrap token is retired: an admin staff token of its region exists, use that',
      );
    }
    return this.bootstrapStaff;
  }
}
