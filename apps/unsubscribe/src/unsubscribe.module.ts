import { Module } from '@nestjs/common';
import { RecipientLimiter } from '@missive/redis';
import { TenancyModule } from '@missive/tenancy';
import { UnsubscribeContactConsumer } from './contact-projection.consumer';
import { InboundSmtpLifecycle } from './inbound/inbound-smtp.lifecycle';
import { AwaitingOptOuts } from './opt-outs/awaiting-opt-outs.repository';
import { OptOutService } from './opt-outs/opt-out.service';
import { UnsubscribeController } from './page/unsubscribe.controller';

/** The unsubscribe service (R-U1..U4): the page and one-click on the link host, inbound mailto, opt-outs. */
@Module({
  imports: [TenancyModule],
  controllers: [UnsubscribeController, UnsubscribeContactConsumer],
  providers: [OptOutService, AwaitingOptOuts, InboundSmtpLifecycle, RecipientLimiter],
})
export class UnsubscribeModule {}
