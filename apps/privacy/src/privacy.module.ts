import { Module } from '@nestjs/common';

/** The privacy service's public-listener wiring: feature modules and libs, nothing else. */
@Module({})
export class PrivacyModule {}
