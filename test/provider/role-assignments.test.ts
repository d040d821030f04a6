/**
 * Role assignments owned by VmssManagedIdentity (provider/roleAssignmentPlan.ts, roleAssignmentRuntime.ts), through
 * the runtime's functions against the emulator over real HTTP, under ARM's 30 s replication delay: made right after
 * the identity appears (principalType), removed before the PATCH that deletes their principal, drift found by read
 * and restored by update, a forced PrincipalNotFound retried, an assignment under another name adopted.
 */
import assert from "node:assert/strict";
import * as runtime from "../../provider/runtime";
import { assignmentName } from "../../provider/roleAssignmentPlan";
import { withMessages, type MessageSink } from "../../provider/progress";
import { createIdentity, createResourceGroup, createScaleSet, startWorld, type World } from "../support/world";

type Props = Record<string, unknown>;
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const BLOB_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";

describe("VmssManagedIdentity role assignments against the emulator", function () {
  this.timeout(60_000);
  let world: World;
  let rgScope: string;
  let storage: string;
  let counter = 0;
  const warnings: string[] = [];
  const ctx = () => ({ client: world.arm, warn: (m: string) => warnings.push(m), principalNotFoundDelaysMs: [5, 5] });
  const checked = (news: Props): Props => {
    const result = runtime.check({}, news);
    assert.deepEqual(result.failures, []);
    return result.inputs;
  };
  const assignments = () => world.emulator.admin.state().roleAssignments ?? [];
  const log = () =>
    world.emulator.admin
      .requests()
      .filter((r) => r.kind === "arm" && r.method !== "GET")
      .map((r) => `${r.method} ${r.path.includes("roleAssignments") ? "roleAssignment" : "scaleSet"} ${r.status}`);
  /** Deletes (or releases) the resource whose outputs these are, as the engine's delete does. */
  const removeResource = (outs: runtime.VmssIdentityOutputs) => runtime.remove(outs as unknown as Props, ctx());
  /** A new scale set in "rg" that already has its system-assigned identity (named `vmss${counter}`). */
  const scaleSetWithSystemIdentity = () => createScaleSet(world, "rg", `vmss${++counter}`, { type: "SystemAssigned" });
  /** Checked inputs: the system identity on, holding Reader on `scope` (the resource group by default). */
  const systemReaderOn = (scaleSetId: string, scope = rgScope) =>
    checked({ scaleSetId, systemAssigned: true, roleAssignments: [{ identity: "system", role: "Reader", scope }] });
  /** Checked inputs: the system identity Reader on the group, the user identity `userId` `userRole` on the storage. */
  const systemReaderAndUserRole = (scaleSetId: string, userId: string, userRole = "Reader") =>
    checked({
      scaleSetId,
      systemAssigned: true,
      userAssignedIdentities: [userId],
      roleAssignments: [
        { identity: "system", role: "Reader", scope: rgScope },
        { identity: userId, role: userRole, scope: storage },
      ],
    });
  /**
   * Makes, outside the provider (as the Azure CLI does, under a name of its own choosing), a Reader assignment on the
   * resource group for the system identity of the latest scale set (`vmss${counter}`); returns its ID.
   */
  const handMadeReaderAssignment = async (name: string): Promise<string> => {
    const principalId = world.emulator.admin.state().scaleSets.find((s) => s.name === `vmss${counter}`)?.identity
      ?.system?.principalId as string;
    const id = `${rgScope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    await world.arm.request({
      method: "PUT",
      path: id,
      apiVersion: "2022-04-01",
      body: {
        properties: {
          roleDefinitionId: `/subscriptions/${world.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
          principalId,
          principalType: "ServicePrincipal",
        },
      },
    });
    return id;
  };
  /** Deletes a role assignment directly through ARM, behind the provider's back. */
  const deleteAssignment = (id: string) => world.arm.request({ method: "DELETE", path: id, apiVersion: "2022-04-01" });

  before(async () => {
    world = await startWorld(); // ARM's default replication delay: 30 s
    rgScope = await createResourceGroup(world, "rg");
    storage = `/subscriptions/${world.subscriptionId}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/data`;
  });
  after(async () => world?.close());
  beforeEach(() => {
    world.emulator.admin.clearRequests();
    warnings.length = 0;
  });

  it("check: canonical entries (role by name → GUID), and failures that name the entry, the value and what is expected", function () {
    const scaleSetId = `/subscriptions/${world.subscriptionId}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/x`;
    const ok = checked({
      scaleSetId,
      systemAssigned: true,
      roleAssignments: [{ identity: "System", role: "reader", scope: `${rgScope}/` }],
    });
    assert.deepEqual(ok.roleAssignments, [{ identity: "system", role: READER, scope: rgScope }]);
    const bad = runtime.check(
      {},
      {
        scaleSetId,
        roleAssignments: [
          { identity: "system", role: "Readerr", scope: "/subscriptions/nope" },
          {
            identity: `${rgScope}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/other`,
            role: "Reader",
            scope: rgScope,
          },
        ],
      },
    );
    const reasons = bad.failures.map((f) => `${f.property}: ${f.reason}`);
    assert.equal(reasons.length, 4, reasons.join("\n"));
    assert.match(reasons[0], /roleAssignments\[0\]\.identity: "system" needs systemAssigned: true/);
    assert.match(reasons[1], /roleAssignments\[0\]\.role: expected a built-in role name \(Owner, .*got "Readerr"/);
    assert.match(reasons[1], /or \/providers\/Microsoft\.Authorization\/roleDefinitions\/\{guid\}/, "both ID forms");
    // The failure names the entry's property, not the whole list (the engine prints the named property's value).
    assert.deepEqual(
      bad.failures.map((f) => f.property),
      [
        "roleAssignments[0].identity",
        "roleAssignments[0].role",
        "roleAssignments[0].scope",
        "roleAssignments[1].identity",
      ],
    );
    assert.match(reasons[2], /roleAssignments\[0\]\.scope: .*subscription ID "nope" is not a GUID/);
    assert.match(
      reasons[3],
      /roleAssignments\[1\]\.identity: expected "system" or one of this resource's userAssignedIdentities \(none declared\)/,
    );
  });

  it("create right after the identities appear: PATCH, then one PUT per assignment with principalType, 20 of 20 under a 30 s delay", async function () {
    const userId = await createIdentity(world, "rg", `ua${++counter}`);
    for (let run = 0; run < 20; run++) {
      const scaleSetId = await createScaleSet(world, "rg", `vmss${++counter}`);
      const inputs = systemReaderAndUserRole(scaleSetId, userId, "Storage Blob Data Reader");
      const { outs } = await runtime.create(inputs, ctx());
      assert.equal(outs.roleAssignmentsInPlace.length, 2, `run ${run + 1}`);
      const [system, user] = outs.roleAssignmentsInPlace;
      assert.equal(system.principalId, outs.principalId);
      assert.equal(
        system.id,
        `${rgScope}/providers/Microsoft.Authorization/roleAssignments/${assignmentName(rgScope, READER, outs.principalId as string)}`,
      );
      assert.equal(user.role, BLOB_READER);
      assert.equal(user.principalId, outs.userIdentities[0].principalId);
      await removeResource(outs);
    }
    assert.deepEqual(assignments(), [], "destroy leaves none");
    assert.deepEqual(warnings, []);
  });

  it("turning the system identity off deletes its assignments before the PATCH; delete removes the rest before its PATCH", async function () {
    const userId = await createIdentity(world, "rg", `ua${++counter}`);
    const scaleSetId = await createScaleSet(world, "rg", `vmss${++counter}`);
    const first = systemReaderAndUserRole(scaleSetId, userId);
    const { outs } = await runtime.create(first, ctx());
    world.emulator.admin.clearRequests();
    const second = checked({
      scaleSetId,
      systemAssigned: false,
      userAssignedIdentities: [userId],
      roleAssignments: [{ identity: userId, role: "Reader", scope: storage }],
    });
    const updated = await runtime.update(outs as unknown as Props, second, ctx());
    assert.deepEqual(log(), ["DELETE roleAssignment 200", "PATCH scaleSet 200"]);
    assert.deepEqual(
      assignments().map((a) => a.scope),
      [storage],
      "no assignment left whose principal is gone",
    );
    world.emulator.admin.clearRequests();
    await removeResource(updated.outs);
    assert.deepEqual(log(), ["DELETE roleAssignment 200", "PATCH scaleSet 200"]);
    assert.deepEqual(assignments(), []);
  });

  it("diff and the preview's plan need no request; read finds drift, update restores it", async function () {
    const scaleSetId = await scaleSetWithSystemIdentity();
    const inputs = systemReaderOn(scaleSetId);
    const { outs } = await runtime.create(inputs, ctx());
    world.emulator.admin.clearRequests();
    assert.equal(runtime.diff(outs as unknown as Props, inputs).changes, false);
    const more = checked({
      scaleSetId,
      systemAssigned: true,
      roleAssignments: [
        { identity: "system", role: "Reader", scope: rgScope },
        { identity: "system", role: "Key Vault Secrets User", scope: storage },
      ],
    });
    assert.equal(runtime.diff(outs as unknown as Props, more).changes, true);
    assert.deepEqual(world.emulator.admin.requests(), [], "0 requests");

    // Deleted behind Pulumi's back: refresh (read) drops it, the next diff sees a change, update makes it again.
    const [inPlace] = outs.roleAssignmentsInPlace;
    await deleteAssignment(inPlace.id);
    const refreshed = (await runtime.read(outs as unknown as Props, ctx())) as runtime.VmssIdentityOutputs;
    assert.deepEqual(refreshed.roleAssignmentsInPlace, []);
    assert.equal(runtime.diff(refreshed as unknown as Props, inputs).changes, true);
    const restored = await runtime.update(refreshed as unknown as Props, inputs, ctx());
    assert.equal(restored.outs.roleAssignmentsInPlace[0].id, inPlace.id, "the same deterministic name");
    await removeResource(restored.outs);
  });

  it("a create whose assignment is refused (403) leaves nothing: assignments made deleted, identities it added removed", async function () {
    const userId = await createIdentity(world, "rg", `ua${++counter}`);
    const scaleSetId = await createScaleSet(world, "rg", `vmss${++counter}`);
    const inputs = systemReaderAndUserRole(scaleSetId, userId);
    // The caller may not write role assignments on the storage account: the one on the group is made, then undone.
    world.emulator.admin.denyWrite(world.emulator.clientId, `${storage}/providers/Microsoft.Authorization`);
    try {
      await assert.rejects(runtime.create(inputs, ctx()), (e: Error) => {
        assert.match(
          e.message,
          /assigning Reader on .*storageAccounts\/data for .*ua\d+ as .* failed: AuthorizationFailed/,
        );
        return true;
      });
    } finally {
      world.emulator.admin.resetPermissions();
    }
    assert.deepEqual(assignments(), []);
    const scaleSet = world.emulator.admin.state().scaleSets.find((s) => s.name === `vmss${counter}`);
    assert.equal(scaleSet?.identity, null, "the system identity it turned on and the identity it added are gone");
  });

  it("PrincipalNotFound despite principalType is retried; past the cap it is reported; RoleAssignmentExists is adopted with a warning", async function () {
    const scaleSetId = await scaleSetWithSystemIdentity();
    const inputs = systemReaderOn(scaleSetId);
    world.emulator.admin.forcePrincipalNotFound(2);
    const { outs } = await runtime.create(inputs, ctx());
    assert.equal(outs.roleAssignmentsInPlace.length, 1, "the third PUT is taken");
    await removeResource(outs);

    world.emulator.admin.forcePrincipalNotFound(3);
    await assert.rejects(runtime.create(inputs, ctx()), (e: Error) => {
      assert.match(
        e.message,
        /assigning Reader on .* for the system-assigned identity \(retried 2 times over 0 s: the principal .* did not replicate\)/,
      );
      assert.match(e.message, /PrincipalNotFound/);
      return true;
    });

    // Someone made the same assignment under another name (the Azure CLI's random one).
    const foreign = await handMadeReaderAssignment("0f0f0f0f-1111-4222-8333-444444444444");
    const adopted = await runtime.create(inputs, ctx());
    assert.equal(adopted.outs.roleAssignmentsInPlace[0].id, foreign);
    assert.equal(adopted.outs.roleAssignmentsInPlace[0].origin, "adopted");
    assert.match(
      warnings.join("\n"),
      /adopted the role assignment .*0f0f0f0f-1111-4222-8333-444444444444 \(Reader on .*\), which already existed/,
    );
    // Adopted, so released on delete: someone else's access stays.
    await removeResource(adopted.outs);
    assert.deepEqual(
      assignments().map((a) => a.name),
      ["0f0f0f0f-1111-4222-8333-444444444444"],
    );
    assert.match(warnings.join("\n"), /released the role assignment .*0f0f0f0f-1111-4222-8333-444444444444/);
    await deleteAssignment(foreign);
  });

  it("a failed update takes away no access: a bad scope deletes nothing; a failed PATCH puts back what it deleted", async function () {
    const scaleSetId = await createScaleSet(world, "rg", `vmss${++counter}`);
    const first = systemReaderOn(scaleSetId);
    const { outs } = await runtime.create(first, ctx());
    const readerId = outs.roleAssignmentsInPlace[0].id;
    world.emulator.admin.clearRequests();
    // The entry's scope moved to a resource group that does not exist: the PUT fails, the old Reader stays.
    const nope = `/subscriptions/${world.subscriptionId}/resourceGroups/nope`;
    const moved = systemReaderOn(scaleSetId, nope);
    await assert.rejects(
      runtime.update(outs as unknown as Props, moved, ctx()),
      (e: Error & { properties?: Props }) => {
        assert.match(e.message, /ResourceGroupNotFound/);
        const recorded = e.properties?.roleAssignmentsInPlace as { id: string }[];
        assert.deepEqual(
          recorded.map((a) => a.id),
          [readerId],
          "the partial state records what is in place",
        );
        return true;
      },
    );
    assert.deepEqual(log(), ["PUT roleAssignment 404"], "no DELETE before the additions succeeded");
    assert.deepEqual(
      assignments().map((a) => a.scope),
      [rgScope],
    );
    // Turning the system identity off deletes its assignment before the PATCH; the PATCH fails: it is put back.
    world.emulator.admin.clearRequests();
    const off = checked({ scaleSetId, systemAssigned: false, roleAssignments: [] });
    world.emulator.admin.injectFault({
      method: "PATCH",
      pathPattern: "virtualMachineScaleSets",
      count: 1,
      kind: "status",
      status: 400,
      code: "InvalidParameter",
    });
    await assert.rejects(runtime.update(outs as unknown as Props, off, ctx()), /InvalidParameter/);
    assert.deepEqual(log(), ["DELETE roleAssignment 200", "PATCH scaleSet 400", "PUT roleAssignment 201"]);
    assert.deepEqual(
      assignments().map((a) => a.name),
      [readerId.split("/").pop()],
      "the same name again",
    );
    await removeResource(outs);
    assert.deepEqual(assignments(), []);
  });

  it("a failed create deletes only what it created: an adopted assignment stays, and no adoption is announced", async function () {
    const scaleSetId = await scaleSetWithSystemIdentity();
    const handMade = await handMadeReaderAssignment("bbbbbbbb-0000-4000-8000-000000000002");
    const inputs = checked({
      scaleSetId,
      systemAssigned: true,
      roleAssignments: [
        { identity: "system", role: "Reader", scope: rgScope },
        { identity: "system", role: "Reader", scope: `/subscriptions/${world.subscriptionId}/resourceGroups/nope` },
      ],
    });
    world.emulator.admin.clearRequests();
    await assert.rejects(runtime.create(inputs, ctx()), /ResourceGroupNotFound/);
    assert.ok(!log().includes("DELETE roleAssignment 200"), log().join(", "));
    assert.deepEqual(
      assignments().map((a) => a.name),
      ["bbbbbbbb-0000-4000-8000-000000000002"],
    );
    assert.deepEqual(
      warnings.filter((w) => /role assignment/.test(w)),
      [],
      "an adoption is announced only when the step succeeds",
    );
    await deleteAssignment(handMade);
  });

  it("two resources declaring the same assignment: the second adopts it (warned), so deleting it leaves the first's access", async function () {
    const userId = await createIdentity(world, "rg", `ua${++counter}`);
    const declare = async () =>
      checked({
        scaleSetId: await createScaleSet(world, "rg", `vmss${++counter}`),
        userAssignedIdentities: [userId],
        roleAssignments: [{ identity: userId, role: "AcrPull", scope: rgScope }],
      });
    const a = await runtime.create(await declare(), ctx());
    const b = await runtime.create(await declare(), ctx());
    assert.equal(a.outs.roleAssignmentsInPlace[0].origin, "created");
    assert.equal(b.outs.roleAssignmentsInPlace[0].origin, "adopted");
    assert.equal(a.outs.roleAssignmentsInPlace[0].id, b.outs.roleAssignmentsInPlace[0].id, "one deterministic name");
    assert.match(warnings.join("\n"), /adopted the role assignment/);
    await removeResource(b.outs);
    assert.equal(assignments().length, 1, "the first resource's assignment stays");
    await removeResource(a.outs);
    assert.deepEqual(assignments(), []);
  });

  it("RoleAssignmentExists without the existing ID in its message: the existing one is found by a list and adopted", async function () {
    const scaleSetId = await scaleSetWithSystemIdentity();
    const handMade = await handMadeReaderAssignment("cccccccc-0000-4000-8000-000000000003");
    // The short form of the message (docs/arm-behavior.md, "Role assignments").
    world.emulator.admin.injectFault({
      method: "PUT",
      pathPattern: "roleAssignments",
      count: 1,
      kind: "status",
      status: 409,
      code: "RoleAssignmentExists",
      message: "The role assignment already exists.",
    });
    const inputs = systemReaderOn(scaleSetId);
    const { outs } = await runtime.create(inputs, ctx());
    assert.equal(outs.roleAssignmentsInPlace[0].id, handMade);
    assert.equal(outs.roleAssignmentsInPlace[0].origin, "adopted");
    await removeResource(outs);
    await deleteAssignment(handMade);
  });

  it("the PrincipalNotFound wait is reported as the transport's waits are, and the operation's cancellation ends it", async function () {
    const scaleSetId = await scaleSetWithSystemIdentity();
    const inputs = systemReaderOn(scaleSetId);
    world.emulator.admin.forcePrincipalNotFound(1);
    const statuses: string[] = [];
    const cancel = new AbortController();
    const sink: MessageSink = {
      rows: true,
      message: () => {},
      status: (m) => {
        statuses.push(`${m.phase} ${m.text}`);
        if (m.phase === "start") cancel.abort(new Error("cancelled by the engine"));
      },
    };
    const started = Date.now();
    await assert.rejects(
      withMessages(sink, () => runtime.create(inputs, { ...ctx(), principalNotFoundDelaysMs: [60_000] }), {
        signal: cancel.signal,
        noticeAfterMs: 0,
      }),
    );
    assert.ok(Date.now() - started < 20_000, "the 60 s wait was cut short");
    assert.match(statuses[0], /^start .*PrincipalNotFound/);
    assert.deepEqual(assignments(), []);
  });
});
