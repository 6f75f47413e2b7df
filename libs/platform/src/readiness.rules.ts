/** What `/ready` checks (R-X3): every process needs all three, the link host included (API.md). */
export type Dependency = 'postgres' | 'redis' | 'kafka';

export const DEPENDENCIES: readonly Dependency[] = ['postgres', 'redis', 'kafka'];
