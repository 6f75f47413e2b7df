import type { Type } from '@nestjs/common';
import type { EntityRegistry } from '@missive/database';

/**
 * What a service contributes to a process: modules for the public listener (PORT), modules for the support
 * listener (SUPPORT_PORT, internal routes only), and its TypeORM entities. `apps/<service>/src/service.ts`
 * exports one; `apps/<service>/src/main.ts` runs it alone, `apps/missive` runs them all.
 */
export interface ServiceDefinition {
  name: string;
  publicModules?: Type[];
  supportModules?: Type[];
  entities?: Partial<EntityRegistry>;
  /**
   * The support listener's staff authentication and audit as a class decorator (the support service's `StaffApi`);
   * the dev mail routes are mounted behind it, and not at all without it (R-A1, R-X2).
   */
  staffApi?: () => ClassDecorator;
}
