import { Module } from '@nestjs/common';

/** The tracking service's public-listener wiring: feature modules and libs, nothing else. */
@Module({})
export class TrackingModule {}
