import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { OPS_LISTENER, OpsController, type OpsListener } from './ops.controller';

@Module({})
export class OpsModule {
  /** The ops routes of one listener; `/ready` tells the public one less than the support one (R-X2). */
  static forListener(listener: OpsListener): DynamicModule {
    return {
      module: OpsModule,
      imports: [TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' })],
      controllers: [OpsController],
      providers: [{ provide: OPS_LISTENER, useValue: listener }],
    };
  }
}
