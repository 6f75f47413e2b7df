export * from './missive-config';
export * from './load-config';
export * from './config.module';
