export * from './sealed-box';
export * from './tenant-keys';
