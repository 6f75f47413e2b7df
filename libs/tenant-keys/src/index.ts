export * from './contact-key-cache.consumer';
export * from './sealed-box';
export * from './tenant-keys';
