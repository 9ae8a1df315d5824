// Self-test of the scenario timeout (only with E2E_SELFTEST_FAIL=1): hangs; the runner must report it and tear down.
export const name = 'self-test: deliberate hang';
export const timeout = 25_000;
export async function run(ctx) {
  if (process.env.E2E_SELFTEST_FAIL !== '1') return;
  await ctx.launch({ open: 'sample.md' });
  await new Promise(() => {});
}
