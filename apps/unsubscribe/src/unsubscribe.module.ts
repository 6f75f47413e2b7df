import { Module } from '@nestjs/common';
import { RecipientLimiter } from '@missive/redis';
import { TenancyModule } from '@missive/tenancy';
import { ProviderHooksController } from './hooks/provider-hooks.controller';
import { ProviderHooksService } from './hooks/provider-hooks.service';
import { RawBodyModule } from './hooks/raw-body.module';
import { UnsubscribeContactConsumer } from './contact-projection.consumer';
import { BounceMailService } from './inbound/bounce-mail.service';
import { InboundSmtpLifecycle } from './inbound/inbound-smtp.lifecycle';
import { OptInConfirmationService } from './opt-in/opt-in-confirmation.service';
import { OptInController } from './opt-in/opt-in.controller';
import { AwaitingOptOuts } from './opt-outs/awaiting-opt-outs.repository';
import { OptOutService } from './opt-outs/opt-out.service';
import { UnsubscribeController } from './page/unsubscribe.controller';

/**
 * The unsubscribe service (R-U1..U4): the page and one-click on the link host, inbound mailto, opt-outs; and the
 * VERP mailbox of the same inbound listener, where DSNs and ARF reports come back, and the provider webhooks (R-S8).
 */
@Module({
  imports: [TenancyModule, RawBodyModule],
  controllers: [UnsubscribeController, OptInController, UnsubscribeContactConsumer, ProviderHooksController],
  providers: [
    OptOutService,
    AwaitingOptOuts,
    BounceMailService,
    InboundSmtpLifecycle,
    RecipientLimiter,
    ProviderHooksService,
    OptInConfirmationService,
  ],
})
export class UnsubscribeModule {}
