import { Module } from '@nestjs/common';
import { ContactErasure, ContactEvents, ErasureRepository } from '@missive/contact-domain';
import { TenancyModule } from '@missive/tenancy';
import { DataSubjectActions } from './data-subject-actions';
import { DataSubjectRepository } from './data-subject.repository';
import { PrivacyRequestReferredConsumer } from './privacy-request-referred.consumer';
import { PrivacyRequestsController } from './privacy-requests.controller';
import { PrivacyRequestsRepository } from './privacy-requests.repository';
import { PrivacyRequestsService } from './privacy-requests.service';
import { SubjectContactRepository } from './subject-contact.repository';

/** Data-subject requests (R-D1–D3): the tenant API and the consumer of support's referrals. */
@Module({
  imports: [TenancyModule],
  controllers: [PrivacyRequestsController, PrivacyRequestReferredConsumer],
  providers: [
    PrivacyRequestsService,
    PrivacyRequestsRepository,
    DataSubjectActions,
    DataSubjectRepository,
    ErasureRepository,
    ContactErasure,
    SubjectContactRepository,
    ContactEvents,
  ],
})
export class PrivacyRequestsModule {}
