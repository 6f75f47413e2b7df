import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { OpsController } from './ops.controller';

@Module({ imports: [TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' })], controllers: [OpsController] })
export class OpsModule {}
