/**
 * The provider converges when the answer to its PATCH is lost: the emulator's `response-lost` fault applies the PATCH
 * (and starts its operation) and then drops the connection, so the provider never learns that the change landed.
 * For adding and removing a user-assigned identity and turning the system identity on and off, in both body formats
 * (`identityIds` at api-version 2018-04-01, the `userAssignedIdentities` dictionary at 2018-06-01, and the dictionary
 * with ETags at 2024-11-01), the scale set must end as declared and the call must succeed.
 */
import assert from "node:assert/strict";
import * as runtime from "../../provider/runtime";
import {
  createIdentity,
  createResourceGroup,
  createScaleSet,
  identityOf,
  startWorld,
  userIds,
  type World,
} from "../support/world";

type Props = Record<string, unknown>;

describe("VmssManagedIdentity provider: a lost PATCH answer", function () {
  this.timeout(60_000);
  let world: World;
  let id1: string;
  let id2: string;
  let id3: string;
  let counter = 0;
  const ctx = () => ({ client: world.arm, warn: () => undefined });
  const inputs = (news: Props): Props => {
    const checked = runtime.check({}, news);
    assert.deepEqual(checked.failures, []);
    return checked.inputs;
  };
  const lower = (...ids: string[]) => ids.map((s) => s.toLowerCase()).sort();
  const loseNextPatchAnswer = (scaleSetId: string) =>
    world.emulator.admin.injectFault({
      kind: "response-lost",
      method: "PATCH",
      pathPattern: `/${scaleSetId.split("/").pop()}$`,
      count: 1,
    });
  const lostAnswers = (scaleSetId: string) =>
    world.emulator.admin
      .requests()
      .filter((r) => r.method === "PATCH" && r.responseLost === true && r.path.endsWith(scaleSetId.split("/").pop()!));

  before(async () => {
    // Identity names of this file only: the provider remembers an identity's principal and client IDs per ARM ID for
    // the whole process (provider/runtime.ts), and other files create id1… in emulators of their own.
    world = await startWorld();
    await createResourceGroup(world, "rg");
    id1 = await createIdentity(world, "rg", "lost-id1");
    id2 = await createIdentity(world, "rg", "lost-id2");
    id3 = await createIdentity(world, "rg", "lost-id3");
  });
  after(async () => world?.close());
  beforeEach(() => {
    world.emulator.admin.clearRequests();
    world.emulator.admin.clearFaults();
  });

  for (const apiVersion of ["2018-04-01", "2018-06-01", "2024-11-01"]) {
    const format =
      apiVersion === "2018-04-01" ? "identityIds" : apiVersion === "2018-06-01" ? "dictionary" : "dictionary + ETag";
    describe(`api-version ${apiVersion} (${format})`, () => {
      const fresh = () =>
        createScaleSet(world, "rg", `lost${++counter}`, {
          type: "UserAssigned",
          userAssignedIdentities: { [id3]: {} },
        });

      it("add a user-assigned identity", async () => {
        const scaleSetId = await fresh();
        loseNextPatchAnswer(scaleSetId);
        const { outs } = await runtime.create(inputs({ scaleSetId, userAssignedIdentities: [id1], apiVersion }), ctx());
        assert.equal(lostAnswers(scaleSetId).length, 1, "the answer was lost");
        assert.deepEqual(userIds(await identityOf(world, scaleSetId)), lower(id1, id3));
        assert.deepEqual(lower(...outs.userAssignedIdentities), lower(id1));
      });

      it("remove a user-assigned identity", async () => {
        const scaleSetId = await fresh();
        const olds = inputs({ scaleSetId, userAssignedIdentities: [id1, id2], apiVersion });
        const { outs } = await runtime.create(olds, ctx());
        loseNextPatchAnswer(scaleSetId);
        const updated = await runtime.update(
          { ...olds, ...(outs as unknown as Props) },
          inputs({ scaleSetId, userAssignedIdentities: [id1], apiVersion }),
          ctx(),
        );
        assert.equal(lostAnswers(scaleSetId).length, 1, "the answer was lost");
        assert.deepEqual(userIds(await identityOf(world, scaleSetId)), lower(id1, id3));
        assert.deepEqual(lower(...updated.outs.userAssignedIdentities), lower(id1));
      });

      it("turn the system-assigned identity on", async () => {
        const scaleSetId = await fresh();
        loseNextPatchAnswer(scaleSetId);
        const { outs } = await runtime.create(inputs({ scaleSetId, systemAssigned: true, apiVersion }), ctx());
        assert.equal(lostAnswers(scaleSetId).length, 1, "the answer was lost");
        const state = await identityOf(world, scaleSetId);
        assert.equal(state.system, true);
        assert.deepEqual(userIds(state), lower(id3));
        assert.equal(outs.systemAssigned, true);
      });

      it("turn the system-assigned identity off", async () => {
        const scaleSetId = await fresh();
        const olds = inputs({ scaleSetId, systemAssigned: true, apiVersion });
        const { outs } = await runtime.create(olds, ctx());
        loseNextPatchAnswer(scaleSetId);
        const updated = await runtime.update(
          { ...olds, ...(outs as unknown as Props) },
          inputs({ scaleSetId, systemAssigned: false, apiVersion }),
          ctx(),
        );
        assert.equal(lostAnswers(scaleSetId).length, 1, "the answer was lost");
        const state = await identityOf(world, scaleSetId);
        assert.equal(state.system, false);
        assert.deepEqual(userIds(state), lower(id3));
        assert.equal(updated.outs.systemAssigned, false);
      });
    });
  }
});
