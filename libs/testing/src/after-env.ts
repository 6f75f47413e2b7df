import { closeAdminPools } from './admin-db';

// Every test file closes the owner connections it opened for assertions, so jest exits on its own.
afterAll(async () => {
  await closeAdminPools();
});
