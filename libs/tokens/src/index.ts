export * from './link-token';
export * from './link-token.signer';
export * from './token-keyring';
export { isUuid, NIL_UUID } from './uuid-bytes';
export * from './feedback-address';
export * from './verp-token';
