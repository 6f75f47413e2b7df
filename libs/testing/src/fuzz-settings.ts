/** How hard the property-based tests push (issue 27), from the environment of the test run. */
export interface FuzzSettings {
  /** Inputs a property gets: FUZZ_RUNS, else `ciRuns` when CI=true, else `runs`. */
  runs: number;
  /** A property stops early, without failing, after this long: FUZZ_ROUTE_SECONDS, else by CI as above. */
  budgetMs: number;
  /** fast-check's seed, so a failure replays: FUZZ_SEED, else `seed`. */
  seed: number;
  /** FUZZ_ROUTES: only the properties whose name matches this regular expression (to replay one failure). */
  only: RegExp | null;
}

export function fuzzSettings(defaults: {
  runs: number;
  ciRuns: number;
  budgetSeconds: number;
  ciBudgetSeconds: number;
  seed: number;
}): FuzzSettings {
  const env = process.env;
  const ci = env.CI === 'true';
  return {
    runs: Number(env.FUZZ_RUNS ?? (ci ? defaults.ciRuns : defaults.runs)),
    budgetMs: Number(env.FUZZ_ROUTE_SECONDS ?? (ci ? defaults.ciBudgetSeconds : defaults.budgetSeconds)) * 1000,
    seed: Number(env.FUZZ_SEED ?? defaults.seed),
    only: env.FUZZ_ROUTES ? new RegExp(env.FUZZ_ROUTES) : null,
  };
}
