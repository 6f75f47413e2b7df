/**
 * jest globalSetup: `npm test` has already brought the stack up (MISSIVE_STACK_READY); a bare `npx jest` does it
 * here, with the same idempotent script.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.MISSIVE_STACK_READY) return;
  const { up } = await import('../../../deploy/local/stack');
  await up();
}
