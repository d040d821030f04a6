/**
 * The quickstart behind a proxy, under the real Pulumi engine (docs/transport.md, "Proxies"):
 * 1. The CLI runs with `HTTPS_PROXY` naming a local CONNECT proxy (test/support/connectProxy.ts). The ARM endpoint is
 *    the emulator as `https://localhost:<port>` and its authority as `https://127.0.0.1:<port>`, so that the proxy's
 *    log tells the ARM tunnel (`localhost`) from @azure/identity's token tunnel (`127.0.0.1`).
 * 2. `up` succeeds: the dynamic provider's ARM requests and its token request went through the proxy's tunnels, and
 *    nothing was forwarded in clear.
 * 3. With `NO_PROXY=localhost,127.0.0.1`, `destroy` reaches the emulator directly: the proxy sees nothing.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { ConnectProxy } from "../support/connectProxy";
import { PulumiProject } from "../support/pulumiProject";
import { startWorld, type World } from "../support/world";

const ROOT = path.resolve(__dirname, "../..");

describe("e2e: the quickstart behind a proxy", function () {
  this.timeout(300_000);
  let world: World;
  let proxy: ConnectProxy;
  after(async () => {
    await proxy?.close();
    await world?.close();
  });

  it("comes up through the proxy's tunnels, and NO_PROXY bypasses it", async () => {
    world = await startWorld();
    proxy = await ConnectProxy.start();
    const cli = process.env.PULUMI_CLI;
    if (!cli) throw new Error("PULUMI_CLI is not set: run the tests through scripts/run-tests.js (npm test)");
    const port = new URL(world.emulator.url).port;
    const env: NodeJS.ProcessEnv = { ...world.env };
    for (const name of ["https_proxy", "http_proxy", "all_proxy", "ALL_PROXY", "HTTP_PROXY", "NO_PROXY", "no_proxy"]) {
      delete env[name];
    }
    // Upper case only: gRPC between the engine and its plugins reads the lower-case names (and would tunnel too).
    env.HTTPS_PROXY = proxy.url;
    env.VMSS_IDENTITY_ARM_ENDPOINT = `https://localhost:${port}`;
    const stack = await PulumiProject.create({
      cli,
      env, // read at every command: step 3 changes it
      worldDir: world.dir,
      stateDir: path.join(world.dir, "state"),
      programDir: path.join(ROOT, "examples/quickstart"),
      projectName: "quickstart",
      inProcess: true,
    });
    await stack.configure({}, { adminPassword: "Quickstart-Passw0rd!" });
    await stack.up();

    const scaleSetId = `/subscriptions/${world.subscriptionId}/resourceGroups/quickstart-rg/providers/Microsoft.Compute/virtualMachineScaleSets/myVMSS`;
    const created = await world.arm.request<{ identity: { type: string } }>({
      method: "GET",
      path: scaleSetId,
      apiVersion: "2024-11-01",
    });
    assert.equal(created.body.identity.type, "SystemAssigned, UserAssigned");
    assert.deepEqual(proxy.forwards, [], "nothing forwarded in clear");
    assert.deepEqual(
      [...new Set(proxy.log)].sort(),
      [`CONNECT 127.0.0.1:${port} -> 200`, `CONNECT localhost:${port} -> 200`],
      proxy.log.join("\n"),
    );

    proxy.tunnels.length = 0;
    env.NO_PROXY = "localhost,127.0.0.1";
    await stack.must(["destroy", "--yes"]);
    assert.deepEqual(proxy.log, [], "NO_PROXY: the proxy saw nothing");
    await assert.rejects(
      world.arm.request({ method: "GET", path: scaleSetId, apiVersion: "2024-11-01" }),
      (e: { statusCode?: number }) => e.statusCode === 404,
    );
  });
});
