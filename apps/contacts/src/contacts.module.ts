import { Module } from '@nestjs/common';

/** The contacts service's public-listener wiring: feature modules and libs, nothing else. */
@Module({})
export class ContactsModule {}
