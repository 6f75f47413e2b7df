export * from './test-services';
export * from './wait-for';
export * from './admin-db';
export * from './http-client';
export * from './scratch-databases';
export * from './tenants';
export * from './fuzz-settings';
export * from './registered-routes';
