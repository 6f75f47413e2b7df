export * from './domain-error';
export * from './error-body';
export * from './validation';
export * from './exception.filter';
