import type { Provider } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import { LinkTokenSigner } from '@missive/tokens';

/** The process's link-token signer, keyed from LINK_TOKEN_KEYS (R-K1: the first key signs, every key verifies). */
export const linkTokenSignerProvider: Provider = {
  provide: LinkTokenSigner,
  inject: [MissiveConfig],
  useFactory: (config: MissiveConfig) => new LinkTokenSigner(config.linkTokenKeys),
};
