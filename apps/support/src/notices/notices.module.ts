import { Module } from '@nestjs/common';
import { TenancyModule } from '@missive/tenancy';
import { NoticesController } from './notices.controller';

/** The support service's public-listener part: tenants read their notices with their API key. */
@Module({ imports: [TenancyModule], controllers: [NoticesController] })
export class NoticesModule {}
