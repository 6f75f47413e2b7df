import { type DynamicModule, Global, Module } from '@nestjs/common';
import { loadConfig } from './load-config';
import { MissiveConfig } from './missive-config';

@Global()
@Module({})
export class ConfigModule {
  /** Provides the validated MissiveConfig to every module; pass one in to override (tests). */
  static forRoot(config: MissiveConfig = loadConfig()): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: MissiveConfig, useValue: config }],
      exports: [MissiveConfig],
    };
  }
}
