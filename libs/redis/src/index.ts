export * from './redis-clients';
export * from './tenant-redis-keys';
export * from './recipient-limits.rules';
export * from './recipient-limiter';
export * from './regional-workers';
