/**
 * A first-come, first-served lock for async work on one connection: `acquire` resolves when every
 * earlier holder has released it. Handing over goes straight to the next waiter, so nobody can slip
 * in between. No timeouts: a holder always releases in a `finally`.
 */
const ACQUIRED: Promise<void> = Promise.resolve();

export class TurnLock {
  private held = false;
  private waiters: Array<() => void> | undefined;

  get isHeld(): boolean {
    return this.held;
  }

  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return ACQUIRED;
    }
    return new Promise((resolve) => (this.waiters ??= []).push(resolve));
  }

  release(): void {
    const next = this.waiters?.shift();
    if (next) next();
    else this.held = false;
  }
}
