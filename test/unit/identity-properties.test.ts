// Property tests of the identity algebra (fast-check): over random scale set states (read from GET bodies in
// either format, with keys in random casing) and random declarations, planning is idempotent, additive mode
// never removes an identity it does not list, casing never yields a plan, and both body formats reach the
// same state.
import { deepEqual, equal, ok } from "node:assert/strict";
import fc from "fast-check";
import {
  type BodyFormat,
  type Declaration,
  type IdentityChange,
  type IdentityState,
  armIdKey,
  changeForCreate,
  changeForDelete,
  changeForUpdate,
  diffOf,
  planChange,
  planPatch,
  readIdentityState,
  validateDeclarationInputs,
} from "../../provider/identity";
import { applyPatch } from "../support/patchModel";
import { SCALE_SET_ID, SUB, canonicalId } from "./identity-fixtures";

// A pool of identities in two resource groups; every test draws from it so states and declarations overlap.
const POOL = [
  canonicalId("id1"),
  canonicalId("id2"),
  canonicalId("Team-A", "rg.shared(1)"),
  canonicalId("team_b", "rg.shared(1)"),
  canonicalId("policy-ama"),
  canonicalId("ID6"),
];

/** The spellings ARM and users produce for one ID (docs/arm-behavior.md, "IDs and casing"). */
const spellings = (id: string): string[] => [
  id,
  id.replace("/resourceGroups/", "/resourcegroups/"),
  id.toLowerCase(),
  id.toUpperCase(),
  id
    .replace(SUB, SUB.toUpperCase())
    .replace("/providers/Microsoft.ManagedIdentity/", "/providers/microsoft.managedidentity/"),
];

/** A random spelling of each of the given IDs. */
const respelt = (ids: string[]) =>
  fc.tuple(...ids.map((id) => fc.constantFrom(...spellings(id)))).map((spelt) => spelt as string[]);

const idsArb = fc.shuffledSubarray(POOL).chain(respelt);
const formatArb = fc.constantFrom<BodyFormat>("dictionary", "identityIds");
const systemArb = fc.constantFrom<boolean | undefined>(true, false, undefined);

/** A GET body's identity, in the format of the api-version, read as the provider reads it. */
const stateArb = fc.record({ system: fc.boolean(), ids: idsArb, format: formatArb }).map(({ system, ids, format }) => {
  if (!system && ids.length === 0) return readIdentityState(undefined);
  const type = system ? (ids.length > 0 ? "SystemAssigned, UserAssigned" : "SystemAssigned") : "UserAssigned";
  const identity: Record<string, unknown> = { type };
  if (system) Object.assign(identity, { principalId: "sp", tenantId: "t" });
  if (ids.length > 0 && format === "dictionary") {
    identity.userAssignedIdentities = Object.fromEntries(ids.map((id) => [id, { principalId: "p", clientId: "c" }]));
  }
  if (ids.length > 0 && format === "identityIds") identity.identityIds = ids;
  return readIdentityState(identity);
});

const declArb = (mode?: Declaration["mode"]) =>
  fc
    .record({
      systemAssigned: systemArb,
      userAssignedIdentities: idsArb,
      mode: mode === undefined ? fc.constantFrom<Declaration["mode"]>("additive", "exclusive") : fc.constant(mode),
    })
    .map(
      ({ systemAssigned, ...rest }) =>
        (systemAssigned === undefined ? rest : { systemAssigned, ...rest }) as Declaration,
    );

const keys = (state: IdentityState) => [...state.user.keys()].sort();
const keysOf = (ids: readonly string[]) => new Set(ids.map((id) => armIdKey(canonicalOf(id))));
const canonicalOf = (id: string) => POOL.find((p) => armIdKey(p) === armIdKey(id)) ?? id;

/** Applies a change the way the provider does: plan, then (if anything) ARM applies it. */
function converge(current: IdentityState, change: IdentityChange, format: BodyFormat): IdentityState {
  const patch = planPatch(current, change, format);
  return patch === undefined ? current : applyPatch(current, patch, format);
}

describe("identity algebra properties", () => {
  it("planning is idempotent: plan, apply, plan again gives nothing (create, update, delete; both formats)", () => {
    fc.assert(
      fc.property(stateArb, declArb(), declArb(), formatArb, (current, olds, news, format) => {
        const changes: ((s: IdentityState) => IdentityChange)[] = [
          (s) => changeForCreate(s, news),
          (s) => changeForUpdate(s, olds, news),
          (s) => changeForDelete(s, olds),
        ];
        for (const changeOf of changes) {
          const after = converge(current, changeOf(current), format);
          equal(planPatch(after, changeOf(after), format), undefined);
        }
      }),
    );
  });

  it("a planned dictionary names only identities that change: {} for absent ones, null for present ones", () => {
    fc.assert(
      fc.property(stateArb, declArb(), declArb(), (current, olds, news) => {
        const patch = planPatch(current, changeForUpdate(current, olds, news), "dictionary");
        for (const [id, value] of Object.entries(patch?.identity.userAssignedIdentities ?? {})) {
          equal(current.user.has(armIdKey(id)), value === null, `${id} -> ${JSON.stringify(value)}`);
        }
      }),
    );
  });

  it("additive mode never removes an identity it does not list, nor touches an undeclared system identity", () => {
    fc.assert(
      fc.property(stateArb, declArb("additive"), declArb("additive"), formatArb, (current, olds, news, format) => {
        const owned = new Set([...keysOf(olds.userAssignedIdentities), ...keysOf(news.userAssignedIdentities)]);
        const cases: [IdentityChange, Set<string>][] = [
          [changeForCreate(current, news), new Set()],
          [changeForUpdate(current, olds, news), owned],
          [changeForDelete(current, olds), keysOf(olds.userAssignedIdentities)],
        ];
        for (const [change, mayRemove] of cases) {
          const after = converge(current, change, format);
          for (const key of current.user.keys()) {
            ok(after.user.has(key) || mayRemove.has(key), `removed unlisted ${key}`);
          }
        }
        if (news.systemAssigned === undefined) {
          equal(converge(current, changeForCreate(current, news), format).system, current.system);
        }
      }),
    );
  });

  it("exclusive mode reaches exactly what is declared", () => {
    fc.assert(
      fc.property(stateArb, declArb("exclusive"), formatArb, (current, d, format) => {
        const after = converge(current, changeForCreate(current, d), format);
        deepEqual(keys(after), [...keysOf(d.userAssignedIdentities)].sort());
        equal(after.system, d.systemAssigned ?? false);
      }),
    );
  });

  it("casing never yields a plan: a state and a declaration differing only in ID casing plan nothing", () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(POOL),
        fc.boolean(),
        fc.constantFrom<Declaration["mode"]>("additive", "exclusive"),
        formatArb,
        fc.infiniteStream(fc.nat(4)),
        (ids, system, mode, format, picks) => {
          const pick = (id: string) => spellings(id)[picks.next().value as number] as string;
          const identity = ids.length > 0 || system ? stateBody(system, ids.map(pick), format) : undefined;
          const current = readIdentityState(identity);
          const d: Declaration = { systemAssigned: system, userAssignedIdentities: ids.map(pick), mode };
          equal(planPatch(current, changeForCreate(current, d), format), undefined);
          equal(
            planPatch(current, changeForUpdate(current, d, { ...d, userAssignedIdentities: ids.map(pick) }), format),
            undefined,
          );
        },
      ),
    );
  });

  it("casing never yields a diff: inputs differing only in ID casing diff as no change", () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(POOL), fc.infiniteStream(fc.nat(4)), (ids, picks) => {
        const pick = (id: string) => spellings(id)[picks.next().value as number] as string;
        const olds = validateDeclarationInputs({
          scaleSetId: SCALE_SET_ID,
          userAssignedIdentities: ids.map(pick),
        }).inputs;
        const news = { scaleSetId: SCALE_SET_ID.toLowerCase(), userAssignedIdentities: ids.map(pick) };
        deepEqual(diffOf(planChange(olds, news)), { changes: false, replaces: [] });
      }),
    );
  });

  it("the identityIds and dictionary formats reach the same state for every change", () => {
    fc.assert(
      fc.property(stateArb, systemArb, idsArb, idsArb, (current, system, add, remove) => {
        const change: IdentityChange = system === undefined ? { add, remove } : { system, add, remove };
        const viaDictionary = converge(current, change, "dictionary");
        const viaIdentityIds = converge(current, change, "identityIds");
        equal(viaDictionary.system, viaIdentityIds.system);
        deepEqual(keys(viaDictionary), keys(viaIdentityIds));
        // and the result is the algebra's definition: (C ∪ add) \ remove
        const removed = keysOf(remove);
        const expected = new Set([...current.user.keys(), ...keysOf(add)].filter((k) => !removed.has(k)));
        deepEqual(keys(viaDictionary), [...expected].sort());
        equal(viaDictionary.system, system ?? current.system);
      }),
    );
  });
});

function stateBody(system: boolean, ids: string[], format: BodyFormat): Record<string, unknown> {
  const type = system ? (ids.length > 0 ? "SystemAssigned, UserAssigned" : "SystemAssigned") : "UserAssigned";
  if (ids.length === 0) return { type };
  return format === "dictionary"
    ? { type, userAssignedIdentities: Object.fromEntries(ids.map((id) => [id, {}])) }
    : { type, identityIds: ids };
}
