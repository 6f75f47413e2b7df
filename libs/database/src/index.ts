export * from './app-role';
export * from './databases';
export * from './migrate';
export * from './migrations';
export * from './tenant-rls';
export * from './rls-exceptions';
export * from './app-login';
export * from './query-rows';
