/**
 * One process-wide write lock per scale set: every write to a scale set — `VmssManagedIdentity`'s GET → plan → PATCH,
 * `ScaleSet`'s PUT, PATCH and DELETE — runs under the lock of its scale set, so writes to one scale set never overlap
 * inside the provider process, whichever resource makes them.
 *
 * Why: several resources on one scale set run in the same provider process. Two read-modify-writes interleaving would
 * lose one update (both read the same identity), and a write while another one's operation runs meets ARM's 409
 * `Conflict` (docs/arm-behavior.md, "Errors"). Scale sets never wait for each other. A write that waits for another
 * is reported to its resource's messages (provider/progress.ts) once the wait lasts.
 *
 * "Process-wide" includes every copy of this module in the process (each dynamic resource's deserialised provider may
 * load its own): the locks live on `globalThis` under a `Symbol.for` key, as the package's error brands do.
 */
import { armIdKey } from "./grammar/armId";
import { reportQueuedWrite } from "./progress";

/** Serialises async work per key inside one process. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Runs `work` after every earlier `run` with the same key has settled; returns what `work` returns.
   * @param onQueued called when `work` has to wait for an earlier `run`; what it returns is called when the wait ends.
   */
  async run<T>(key: string, work: () => Promise<T>, onQueued?: () => () => void): Promise<T> {
    const earlier = this.tails.get(key);
    const previous = earlier ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    const dequeued = earlier === undefined ? undefined : onQueued?.();
    await previous;
    dequeued?.();
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

const LOCKS_KEY = Symbol.for("pulumi-vmss-identity.scaleSetWriteLocks");

/** The process's scale set write locks, shared by every copy of this module. */
export function scaleSetWriteLocks(): KeyedLock {
  const holder = globalThis as unknown as Record<symbol, KeyedLock | undefined>;
  return (holder[LOCKS_KEY] ??= new KeyedLock());
}

/**
 * Runs `work` holding the write lock of the scale set `scaleSetId` (compared case-insensitively, as ARM compares IDs).
 * Every write to a scale set goes through here; reads need not.
 */
export function withScaleSetWriteLock<T>(scaleSetId: string, work: () => Promise<T>): Promise<T> {
  // A write queued behind another one is a wait like any other: the user hears of it once it lasts (progress.ts).
  return scaleSetWriteLocks().run(armIdKey(scaleSetId), work, () => reportQueuedWrite(scaleSetId));
}
