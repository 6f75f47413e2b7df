// A campaigns service (API and send worker) in a process of its own, for the crash test: it prints its URL, then
// runs until killed.
import 'reflect-metadata';
import { startTestServices } from '@missive/testing';
import { campaignsService } from '../src/service';

void startTestServices([campaignsService], JSON.parse(process.argv[2] ?? '{}')).then((services) => {
  process.stdout.write(`READY ${services.publicUrl}\n`);
});
