export * from './domain-error';
export * from './error-body';
export * from './validation';
export * from './exception.filter';
export * from './text-safety.rules';
export * from './body-depth.rules';
export * from './text-bodies';
