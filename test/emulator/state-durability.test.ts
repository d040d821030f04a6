// Durable state: with --state FILE an answer leaves only once its write is in the file (written, fsynced,
// renamed). The emulator CLI is killed with SIGKILL at random moments while a client writes, at least 100 times;
// after each kill the file must parse and, after a restart, every write that was acknowledged (2xx) must be there.
//
// The CLI is the package's built bin (plain JavaScript), so that each of the 100+ starts takes a fraction of a second
// instead of ts-node's.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Pool } from "undici";

const KILLS = 100;
const WRITERS = 4;
const SUB = "33333333-3333-4333-8333-333333333333";

// The package's bin, the file `npx vmss-identity-emulator` runs (built JavaScript: starts in a fraction of a second).
const EMULATOR_PACKAGE = require.resolve("vmss-identity-emulator/package.json");
const EMULATOR_CLI = path.join(
  path.dirname(EMULATOR_PACKAGE),
  (require(EMULATOR_PACKAGE) as { bin: Record<string, string> }).bin["vmss-identity-emulator"],
);

interface Cli {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
}

async function startCli(cli: string, stateFile: string): Promise<Cli> {
  const child = spawn(process.execPath, [cli, "--port", "0", "--state", stateFile, "--op-duration-ms", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ARM emulator listening on (\S+)\n/.exec(out);
      if (match) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`emulator exited with ${code} before it was ready: ${stderr}`)));
  });
  return { child, url, exited };
}

describe("emulator: durable state under kill -9", function () {
  this.timeout(180_000);
  let dir: string;
  let cli: string;
  let running: Cli | undefined;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-kill-"));
    cli = EMULATOR_CLI;
  });

  after(async function () {
    if (running !== undefined && running.child.exitCode === null) {
      running.child.kill("SIGKILL");
      await running.exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`loses no acknowledged write and leaves no unreadable file over ${KILLS} SIGKILLs at random moments`, async function () {
    const stateFile = path.join(dir, "state.json");
    const acknowledged = new Set<string>();
    let token = "";
    const lost = new Set<string>();
    let unreadable = 0;
    let attempted = 0;

    for (let round = 0; round < KILLS; round += 1) {
      running = await startCli(cli, stateFile);
      const pool = new Pool(running.url, { connections: WRITERS });
      try {
        // What the previous rounds acknowledged must all be here (one list call).
        if (token === "") {
          const res = await pool.request({
            method: "POST",
            path: "/11111111-1111-4111-8111-111111111111/oauth2/v2.0/token",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({
              grant_type: "client_credentials",
              client_id: "22222222-2222-4222-8222-222222222222",
              client_secret: "emulator-client-secret",
              scope: "https://management.azure.com/.default",
            }).toString(),
          });
          token = ((await res.body.json()) as { access_token: string }).access_token;
        }
        const auth = { authorization: `Bearer ${token}` };
        const list = await pool.request({
          method: "GET",
          path: `/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`,
          headers: auth, // the token survives restarts: its signing state is in the file too
        });
        assert.equal(list.statusCode, 200);
        const present = new Set(((await list.body.json()) as { value: { name: string }[] }).value.map((g) => g.name));
        for (const name of acknowledged) if (!present.has(name)) lost.add(name);

        // Writers create groups until the kill, which comes 0-20 ms after the round's first acknowledgement (so that
        // every round has acknowledged writes at stake), at random.
        let stop = false;
        let firstAck: () => void = () => undefined;
        const acked = new Promise<void>((resolve) => (firstAck = resolve));
        const writer = async (w: number): Promise<void> => {
          for (let i = 0; !stop; i += 1) {
            const name = `g${round}-${w}-${i}`;
            attempted += 1;
            try {
              const res = await pool.request({
                method: "PUT",
                path: `/subscriptions/${SUB}/resourcegroups/${name}?api-version=2021-04-01`,
                headers: { ...auth, "content-type": "application/json" },
                body: JSON.stringify({ location: "westus", tags: { round: String(round) } }),
              });
              await res.body.dump();
              if (res.statusCode >= 200 && res.statusCode < 300) {
                acknowledged.add(name);
                firstAck();
              }
            } catch {
              return; // the connection died with the process: this write was never acknowledged
            }
          }
        };
        const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
        await acked;
        const delay = Math.random() * 20;
        await new Promise((resolve) => setTimeout(resolve, delay));
        running.child.kill("SIGKILL");
        await running.exited;
        stop = true;
        await Promise.all(writers);
      } finally {
        await pool.destroy();
      }
      try {
        JSON.parse(fs.readFileSync(stateFile, "utf8"));
      } catch {
        unreadable += 1;
      }
    }

    // A last start: the writes of the last round are checked too.
    running = await startCli(cli, stateFile);
    const pool = new Pool(running.url);
    const list = await pool.request({
      method: "GET",
      path: `/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`,
      headers: { authorization: `Bearer ${token}` },
    });
    const present = new Set(((await list.body.json()) as { value: { name: string }[] }).value.map((g) => g.name));
    for (const name of acknowledged) if (!present.has(name)) lost.add(name);
    await pool.destroy();
    const leftovers = fs.readdirSync(dir).filter((name) => name.endsWith(".tmp"));
    running.child.kill("SIGKILL");
    await running.exited;

    console.log(
      `      ${KILLS} SIGKILLs (0-20 ms after a round's first acknowledged write), ${attempted} writes sent, ${acknowledged.size} acknowledged: ` +
        `${lost.size} acknowledged writes lost, ${unreadable} unreadable state files`,
    );
    assert.ok(acknowledged.size >= KILLS, `enough writes were acknowledged to mean something (${acknowledged.size})`);
    assert.equal(unreadable, 0, "unreadable state files");
    assert.deepEqual([...lost], [], "acknowledged writes lost");
    assert.deepEqual(leftovers, [], "temporary files of killed processes are removed at the next start");
  });
});
