// Persistence with --state FILE: the resources, operations and token-signing state, written after
// changes (coalesced to one write per event-loop turn) as a temporary file renamed over the old one,
// so a crash never leaves a half-written file.
import * as fs from "node:fs";
import * as path from "node:path";
import type { StoreSnapshot } from "./store";
import type { TokenServiceState } from "./tokens";

/** Content of a state file. */
export interface StateFileContent {
  format: "vmss-identity-emulator-state";
  version: 1;
  savedAt: string;
  tokens: TokenServiceState;
  store: StoreSnapshot;
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

  /** Writes now if anything changed since the last write. */
  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(temp, JSON.stringify(this.snapshot()), { mode: 0o600 });
      fs.renameSync(temp, this.file);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      this.onError(error as Error);
    }
  }
}
