import { Module } from '@nestjs/common';

/** The support service's wiring (support listener only, never the public port): feature modules and libs, nothing else. */
@Module({})
export class SupportModule {}
