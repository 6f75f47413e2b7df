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
}
