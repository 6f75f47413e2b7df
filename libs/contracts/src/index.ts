export * from './region';
export * from './event-envelope';
export * from './topics';
