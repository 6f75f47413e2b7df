import { Global, Module } from '@nestjs/common';
import { AuditLogModule } from '@missive/tenancy';
import { StaffAuditInterceptor } from './staff-audit.interceptor';
import { StaffAuthGuard } from './staff-auth.guard';
import { StaffAuthenticator } from './staff-authenticator';
import { StaffTokensController } from './staff-tokens.controller';
import { StaffTokensService } from './staff-tokens.service';
import { StaffRepository } from './staff.repository';

/** Staff authentication and audit for every support controller (`@StaffApi()`), and the staff-token routes. */
@Global()
@Module({
  imports: [AuditLogModule],
  controllers: [StaffTokensController],
  providers: [StaffRepository, StaffAuthenticator, StaffAuthGuard, StaffAuditInterceptor, StaffTokensService],
  exports: [StaffRepository, StaffAuthenticator, StaffAuthGuard, StaffAuditInterceptor, AuditLogModule],
})
export class StaffModule {}
