import { Controller, type DynamicModule, Module } from '@nestjs/common';
import { DevMailController } from './dev-mail.controller';
import { DevMailSink } from './dev-mail-sink';

@Module({})
export class DevMailModule {
  /**
   * The sink's routes behind `staffApi`, the support listener's staff authentication and audit (R-A1, R-A3): the
   * messages are whole mails with their recipients, so only staff read them. This lib cannot import the support
   * service, so the service passes its decorator in.
   */
  static forSink(sink: DevMailSink, staffApi: () => ClassDecorator): DynamicModule {
    @staffApi()
    @Controller('dev/mail')
    class StaffDevMailController extends DevMailController {}
    return {
      module: DevMailModule,
      providers: [{ provide: DevMailSink, useValue: sink }],
      controllers: [StaffDevMailController],
    };
  }
}
