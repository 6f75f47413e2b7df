export * from './redis-clients';
export * from './tenant-keys';
export * from './recipient-limits.rules';
export * from './recipient-limiter';
export * from './regional-workers';
