import { type DynamicModule, Global, Module } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import { Databases } from '@missive/database';
import { KafkaClients } from '@missive/kafka';
import { Metrics } from '@missive/observability';
import { RedisClients } from '@missive/redis';
import { TenantKeys } from '@missive/tenant-keys';
import { LinkTokenSigner } from '@missive/tokens';
import { Clock } from './clock';
import { LOGGER } from './tokens';
import { Platform } from './platform';

/** Makes the process's Platform pieces injectable by type (and the logger by the LOGGER token). */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(platform: Platform): DynamicModule {
    const providers = [
      { provide: Platform, useValue: platform },
      { provide: MissiveConfig, useValue: platform.config },
      { provide: LOGGER, useValue: platform.logger },
      { provide: Metrics, useValue: platform.metrics },
      { provide: Databases, useValue: platform.databases },
      { provide: KafkaClients, useValue: platform.kafka },
      { provide: RedisClients, useValue: platform.redis },
      { provide: TenantKeys, useValue: platform.tenantKeys },
      { provide: LinkTokenSigner, useValue: platform.linkTokens },
      { provide: Clock, useValue: platform.clock },
    ];
    return { module: PlatformModule, providers, exports: providers.map((p) => p.provide) };
  }
}
