/**
 * Waiting for something another process or connection does in its own time (a notification to
 * arrive, a connection to come back). No test asserts how long that takes: it polls, and gives up
 * after a generous limit with a message that says what never happened.
 */
export const EVENTUALLY_LIMIT_MS = 5000;

export async function eventually(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + EVENTUALLY_LIMIT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${EVENTUALLY_LIMIT_MS / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
