import { type DynamicModule, Module } from '@nestjs/common';
import { DevMailController } from './dev-mail.controller';
import { DevMailSink } from './dev-mail-sink';

@Module({})
export class DevMailModule {
  static forSink(sink: DevMailSink): DynamicModule {
    return {
      module: DevMailModule,
      providers: [{ provide: DevMailSink, useValue: sink }],
      controllers: [DevMailController],
    };
  }
}
