export * from './app-role';
export * from './databases';
export * from './migrate';
export * from './migrations';
