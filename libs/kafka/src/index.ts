export * from './kafka-clients';
export * from './kafka-connection';
export * from './topic-admin';
export * from './outbox';
export * from './resilient-producer';
export * from './outbox-relay';
export * from './consume-events.decorator';
export * from './kafka-event-server';
