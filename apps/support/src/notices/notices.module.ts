import { Module } from '@nestjs/common';
import { TenancyModule } from '@missive/tenancy';
import { NoticeIssuedConsumer } from './notice-issued.consumer';
import { NoticesController } from './notices.controller';

/**
 * The support service's public-listener part: tenants read their notices with their API key; the notices of
 * incidents arrive as events on the tenant's region topic and are written here, in that region.
 */
@Module({ imports: [TenancyModule], controllers: [NoticesController, NoticeIssuedConsumer] })
export class NoticesModule {}
