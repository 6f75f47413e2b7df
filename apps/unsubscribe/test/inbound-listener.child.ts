// The unsubscribe service with its inbound SMTP listener in a process of its own, for the crash test: it prints the
// listener's port, then runs until killed.
import 'reflect-metadata';
import { startTestServices } from '@missive/testing';
import { InboundSmtpLifecycle } from '../src/inbound/inbound-smtp.lifecycle';
import { unsubscribeService } from '../src/service';

void startTestServices([unsubscribeService], JSON.parse(process.argv[2] ?? '{}')).then((services) => {
  process.stdout.write(`READY ${services.publicApp!.get(InboundSmtpLifecycle).port}\n`);
});
