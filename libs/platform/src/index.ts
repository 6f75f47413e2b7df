export * from './clock';
export * from './platform';
export * from './platform.module';
export * from './tokens';
export * from './service-definition';
export * from './http-app';
export * from './run-services';
export * from './readiness.rules';
export { knownQueues } from './store-metrics';
