import { Module } from '@nestjs/common';

/** The campaigns service's public-listener wiring: feature modules and libs, nothing else. */
@Module({})
export class CampaignsModule {}
