// Persistence with --state FILE: the resources, operations, token-signing state, the tenant's applications (secrets
// as digests) and the OIDC issuer's key (docs/emulator.md, "State file"). A change is written
// before any answer leaves (responses wait in `afterFlush`), coalesced to one write per event-loop turn
// (group commit): a temporary file is written and fsynced, renamed over the old one, and the directory is
// fsynced, so a crash (kill -9, power loss) never leaves a half-written file nor loses an acknowledged write.
import * as fs from "node:fs";
import * as path from "node:path";
import type { ApplicationState } from "./applications";
import type { OidcIssuerState } from "./oidc-issuer";
import type { StoreSnapshot } from "./store";
import type { TokenServiceState } from "./tokens";

/** Content of a state file. */
export interface StateFileContent {
  format: "vmss-identity-emulator-state";
  version: 1;
  savedAt: string;
  tokens: TokenServiceState;
  store: StoreSnapshot;
  /** Registered applications (absent in files of earlier releases). */
  applications?: ApplicationState[];
  /** The OIDC issuer's key and request tokens, once it has any (absent in files of earlier releases). */
  oidcIssuer?: OidcIssuerState;
}

/** Reads a state file; undefined when it does not exist. @throws Error naming the file when it cannot be used. */
export function readStateFile(file: string): StateFileContent | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new Error(`state file '${file}' is not valid JSON (${(error as Error).message}); move it away or fix it`);
  }
  const candidate = content as Partial<StateFileContent>;
  if (candidate?.format !== "vmss-identity-emulator-state" || candidate.version !== 1) {
    throw new Error(
      `state file '${file}' is not a vmss-identity-emulator state file of version 1 (format ${JSON.stringify(candidate?.format)}, version ${JSON.stringify(candidate?.version)})`,
    );
  }
  return candidate as StateFileContent;
}

/** Writes state to a file atomically, at most once per event-loop turn. */
export class StateFileWriter {
  private scheduled = false;
  private dirty = false;
  private waiting: ((saved: boolean) => void)[] = [];

  /**
   * @param file destination path (its directory is created if missing).
   * @param snapshot produces the content to write.
   * @param onError receives write failures (the emulator keeps serving).
   */
  constructor(
    private readonly file: string,
    private readonly snapshot: () => StateFileContent,
    private readonly onError: (error: Error) => void,
  ) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    removeStaleTemporaries(file);
  }

  /** Notes a change; the write happens on the next turn of the event loop. */
  markDirty(): void {
    this.dirty = true;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /**
   * Calls `then` once every change noted so far is in the file: at once when nothing is pending, else after the
   * next write, with `saved` false when that write failed.
   */
  afterFlush(then: (saved: boolean) => void): void {
    if (!this.dirty) then(true);
    else this.waiting.push(then);
  }

  /** Writes now if anything changed since the last write, then releases the answers waiting for it. */
  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const waiting = this.waiting;
    this.waiting = [];
    const saved = this.write();
    for (const then of waiting) then(saved);
  }

  private write(): boolean {
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      const fd = fs.openSync(temp, "w", 0o600);
      try {
        fs.writeSync(fd, JSON.stringify(this.snapshot()));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temp, this.file);
      syncDirectory(path.dirname(path.resolve(this.file)));
      return true;
    } catch (error) {
      fs.rmSync(temp, { force: true });
      this.onError(error as Error);
      return false;
    }
  }
}

// A process killed while writing leaves its `<file>.<pid>.tmp` behind (the state file itself is intact). Remove those
// of processes that no longer run; a live process's (another emulator on the same file, unsupported) is left alone.
function removeStaleTemporaries(file: string): void {
  const dir = path.dirname(path.resolve(file));
  const prefix = `${path.basename(file)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = name.startsWith(prefix) ? /^(\d+)\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && isRunning(pid)) continue;
    fs.rmSync(path.join(dir, name), { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

// The rename is durable only once the directory entry is on disk (fsync(2) of the directory). Some
// platforms cannot open a directory for that (Windows): the rename is then as durable as the OS makes it.
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // best effort, see above
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
