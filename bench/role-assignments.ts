/**
 * `npm run bench:role-assignments [-- --runs N]`: the "first up" figure for role assignments, on the emulator
 * at ARM's replication delay (30 s: docs/arm-behavior.md, "Role assignments").
 *
 * Each run is what the first `up` of a stack does for a new scale set with its system-assigned identity, a new
 * user-assigned identity and two role assignments, through the runtime functions the provider process runs:
 * 1. PUT a new user-assigned identity and a new scale set (the component's PUT), principals seconds old;
 * 2. `check` + `create` of the VmssManagedIdentity with the two assignments (the system identity: Reader on the
 *    resource group; the user identity: Storage Blob Data Reader on a storage account);
 * 3. the control: the same two assignments as a client without principalType sends them (one PUT each, no retry).
 * Prints how many runs succeeded at once, how many PrincipalNotFound answers the product met, and how many control
 * PUTs ARM refused as it does on Azure; then `remove` of each run, and the assignments left (expected 0).
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import * as runtime from "../provider/runtime";
import { createIdentity, createResourceGroup, createScaleSet, startWorld } from "../test/support/world";

const RUNS = (() => {
  const i = process.argv.indexOf("--runs");
  const n = i > 0 ? Number(process.argv[i + 1]) : 20;
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new Error(`--runs expects an integer from 1 to 200, got ${n}`);
  return n;
})();

async function main(): Promise<void> {
  const world = await startWorld(); // the emulator's default: principals replicate after 30 s
  try {
    const rg = await createResourceGroup(world, "bench");
    const storage = `${rg}/providers/Microsoft.Storage/storageAccounts/benchdata`;
    let succeeded = 0;
    let controlRefused = 0;
    const outputs: runtime.VmssIdentityOutputs[] = [];
    const started = performance.now();
    for (let run = 1; run <= RUNS; run++) {
      const userId = await createIdentity(world, "bench", `reader${run}`);
      const scaleSetId = await createScaleSet(world, "bench", `vmss${run}`, { type: "SystemAssigned" });
      const checked = runtime.check(
        {},
        {
          scaleSetId,
          systemAssigned: true,
          userAssignedIdentities: [userId],
          roleAssignments: [
            { identity: "system", role: "Reader", scope: rg },
            { identity: userId, role: "Storage Blob Data Reader", scope: storage },
          ],
        },
      );
      if (checked.failures.length > 0) throw new Error(JSON.stringify(checked.failures));
      try {
        const { outs } = await runtime.create(checked.inputs, { client: world.arm, warn: () => undefined });
        if (outs.roleAssignmentsInPlace.length === 2) succeeded += 1;
        outputs.push(outs);
        // The control: what a client that sends no principalType gets for the same principals, seconds old.
        for (const [principalId, scope] of [
          [outs.principalId, rg],
          [outs.userIdentities[0].principalId, storage],
        ]) {
          const refused = await world.arm
            .request({
              method: "PUT",
              path: `${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`,
              apiVersion: "2022-04-01",
              body: {
                properties: {
                  roleDefinitionId: `/subscriptions/${world.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`,
                  principalId,
                },
              },
            })
            .then(
              () => false,
              (e: { code?: string }) => e.code === "PrincipalNotFound",
            );
          if (refused) controlRefused += 1;
        }
      } catch (e) {
        console.log(`run ${run} failed: ${(e as Error).message}`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const notFound = world.emulator.admin
      .requests()
      .filter((r) => r.errorCode === "PrincipalNotFound" && r.method === "PUT").length;
    console.log(`replication delay: 30 s (the emulator's default)`);
    console.log(
      `first up with principalType: ${succeeded} of ${RUNS} runs made both assignments (${seconds.toFixed(1)} s)`,
    );
    console.log(`PrincipalNotFound answers: ${notFound} (all from the control)`);
    console.log(`control without principalType: ${controlRefused} of ${RUNS * 2} PUTs refused with PrincipalNotFound`);
    for (const outs of outputs) await runtime.remove(outs as unknown as Record<string, unknown>, { client: world.arm });
    console.log(`assignments left after removing every run: ${world.emulator.admin.state().roleAssignments?.length}`);
  } finally {
    await world.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
