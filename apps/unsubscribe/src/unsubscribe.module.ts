import { Module } from '@nestjs/common';

/** The unsubscribe service's public-listener wiring: feature modules and libs, nothing else. */
@Module({})
export class UnsubscribeModule {}
