import type { Type } from '@nestjs/common';
import type { EntityRegistry } from '@missive/database';
import type { Dependency } from './readiness.rules';

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
   * Dependencies the service keeps working without, so their loss must not take its instances out of a load
   * balancer's rotation (`/ready` stays 200 and reports them degraded). A process is ready without a dependency
   * only if every service it hosts tolerates its loss.
   */
  readinessTolerates?: Dependency[];
}
