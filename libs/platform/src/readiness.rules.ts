/** What `/ready` checks (R-X3). */
export type Dependency = 'postgres' | 'redis' | 'kafka';

export const DEPENDENCIES: readonly Dependency[] = ['postgres', 'redis', 'kafka'];

/**
 * The dependencies a process may be ready without: those every service it hosts tolerates losing. A process with
 * no services, or with one service that needs everything, tolerates nothing.
 */
export function toleratedDependencies(services: { readinessTolerates?: Dependency[] }[]): Dependency[] {
  if (services.length === 0) return [];
  return DEPENDENCIES.filter((d) => services.every((s) => s.readinessTolerates?.includes(d) ?? false));
}
