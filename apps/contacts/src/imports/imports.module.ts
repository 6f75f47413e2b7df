import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ContactsFeatureModule } from '../contacts/contacts.module';
import { ImportFiles } from './import-files';
import { ImportQueues } from './import-queues';
import { ImportRunner } from './import-runner';
import { ImportProcessor } from './import.processor';
import { ImportsController } from './imports.controller';
import { ImportsRepository } from './imports.repository';
import { IMPORT_CONTENT_TYPES, ImportsService } from './imports.service';

@Module({
  imports: [ContactsFeatureModule],
  controllers: [ImportsController],
  providers: [ImportsService, ImportsRepository, ImportFiles, ImportQueues, ImportRunner, ImportProcessor],
})
export class ImportsModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /**
   * Import bodies are handed to the route as the raw request stream (never buffered whole, R-C6); the route
   * enforces its own 250 MB limit while streaming, and JSON bodies keep the global 1 MB one.
   */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    for (const type of Object.keys(IMPORT_CONTENT_TYPES)) {
      if (fastify.hasContentTypeParser(type)) continue;
      fastify.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
    }
  }
}
