import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import type { Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { OptOutService, type UnsubscribeClaims } from '../opt-outs/opt-out.service';
import { BounceMailService } from './bounce-mail.service';
import { InboundUnsubscribeListener } from './inbound-unsubscribe.listener';

/** Runs the inbound SMTP listener (R-U3, R-S8) on INBOUND_SMTP_PORT for as long as the unsubscribe service runs. */
@Injectable()
export class InboundSmtpLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly listener: InboundUnsubscribeListener<UnsubscribeClaims>;
  port: number | null = null;

  constructor(
    private readonly config: MissiveConfig,
    optOuts: OptOutService,
    bounceMail: BounceMailService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.listener = new InboundUnsubscribeListener({
      port: config.smtp.inboundPort,
      verify: (token) => optOuts.verify(token),
      // Like the page: a validly signed token is honoured even before the projection knows its contact (R-U2).
      optOut: (claims) => optOuts.optOut(claims, 'mailto'),
      bounce: bounceMail,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.port = await this.listener.start();
    this.logger.info(`inbound SMTP for unsubscribe+{token}@… and bounce+{token}@… on port ${this.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener.stop();
  }
}
