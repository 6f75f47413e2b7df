// The privacy service in a process of its own, for the purge crash test: it prints READY, then runs until killed.
import 'reflect-metadata';
import { startTestServices } from '@missive/testing';
import { privacyService } from '../src/service';

void startTestServices([privacyService], JSON.parse(process.argv[2] ?? '{}')).then(() => {
  process.stdout.write('READY\n');
});
