export * from './dev-mail-sink';
export * from './dev-mail.module';
