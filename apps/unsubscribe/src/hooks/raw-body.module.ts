import { Module, type NestModule } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { keepRawBodies } from './raw-body';

/** Installs the raw-body hook before the routes are registered (Nest calls `configure` first). */
@Module({})
export class RawBodyModule implements NestModule {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  configure(): void {
    keepRawBodies(this.adapterHost.httpAdapter.getInstance<FastifyInstance>());
  }
}
