// A contacts service in a process of its own (the crash test kills it; the import bench measures its memory): it
// prints its URL, then runs until killed. SIGTERM stops it cleanly, so `--cpu-prof` gets to write its profile.
import 'reflect-metadata';
import { startTestServices } from '@missive/testing';
import { contactsService } from '../src/service';

void startTestServices([contactsService], JSON.parse(process.argv[2] ?? '{}')).then((services) => {
  process.once('SIGTERM', () => {
    void services.stop().finally(() => process.exit(0));
  });
  process.stdout.write(`READY ${services.publicUrl}\n`);
});
