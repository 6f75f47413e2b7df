import { Module } from '@nestjs/common';
import { ExportModule } from './export/export.module';
import { PurgeModule } from './purge/purge.module';
import { PrivacyRequestsModule } from './requests/privacy-requests.module';

/** The privacy service's public-listener wiring: feature modules and libs, nothing else. */
@Module({ imports: [PurgeModule, PrivacyRequestsModule, ExportModule] })
export class PrivacyModule {}
