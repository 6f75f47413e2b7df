export * from './redis-clients';
export * from './tenant-keys';
