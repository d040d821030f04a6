/**
 * Serialises async work per key inside one process.
 *
 * Why: several `VmssManagedIdentity` resources on one scale set run in the same provider process, and each does
 * GET → merge → PATCH. Two of them interleaving would lose one update (both read the same identity), and the second
 * PATCH would meet ARM's 409 Conflict while the first operation runs (shared/ARM-BEHAVIOR.md, Errors). Holding a lock
 * per scale-set ID around the read-modify-write removes both; scale sets never wait for each other.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `work` after every earlier `run` with the same key has settled; returns what `work` returns. */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      // Forget the key once nobody queued behind us, so the map does not grow with every scale set ever seen.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Number of keys with work running or queued (for tests and diagnostics). */
  get size(): number {
    return this.tails.size;
  }
}
