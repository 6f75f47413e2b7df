export * from './region';
export * from './event-envelope';
export * from './topics';
export * from './tenant-events';
export * from './campaign-events';
export * from './tracking-events';
export * from './contact-events';
export * from './contact-state-events';
