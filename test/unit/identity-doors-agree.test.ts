// Property test of the one derivation of what changes (provider/identity/plannedChange.ts): over generated recorded
// states (a scale set's identity recorded by a resource, IDs in random casing, foreign identities, the system identity
// on, off or not managed) and generated new inputs (casing variants of the old ones or new declarations, additive or
// exclusive, other endpoints, another scale set, unknown values), the dynamic provider's diff, the plugin's detailed
// diff, the plan lines a preview shows and the runtime's `changes` never disagree, and the plan is what `up` does with
// the algebra (`changeForUpdate` + `planPatch` on the recorded state, applied as ARM applies it).
import { deepEqual, equal, ok } from "node:assert/strict";
import fc from "fast-check";
import {
  type BodyFormat,
  type IdentityChange,
  type IdentityEffect,
  type IdentityState,
  UNKNOWN,
  armIdKey,
  bodyFormatFor,
  changeForCreate,
  changeForUpdate,
  changesIdentity,
  declarationOf,
  identityStateOf,
  planChange,
  adoptionWarning,
  foreignRemovalWarning,
  planPatch,
  recordOf,
  recordedIdentityOf,
} from "../../provider/identity";
import * as runtime from "../../provider/runtime";
import { diff as pluginDiff } from "../../plugin/vmssManagedIdentity";
import { applyPatch } from "../support/patchModel";
import { SCALE_SET_ID, SUB, canonicalId } from "./identity-fixtures";

type Props = Record<string, unknown>;

const POOL = [
  canonicalId("id1"),
  canonicalId("id2"),
  canonicalId("Team-A", "rg.shared(1)"),
  canonicalId("policy-ama"),
  canonicalId("ID6"),
];
const OTHER_SCALE_SET = SCALE_SET_ID.replace("myVMSS", "otherVMSS");

/** The spellings ARM and users produce for one ID (docs/arm-behavior.md, "IDs and casing"). */
const spellings = (id: string): string[] => [
  id,
  id.replace("/resourceGroups/", "/resourcegroups/"),
  id.toLowerCase(),
  id.toUpperCase().replace(SUB.toUpperCase(), SUB),
  id.replace("/providers/Microsoft.ManagedIdentity/", "/providers/microsoft.managedidentity/"),
];
const respelt = (ids: readonly string[]) =>
  ids.length === 0
    ? fc.constant([] as string[])
    : fc.tuple(...ids.map((id) => fc.constantFrom(...spellings(id)))).map((spelt) => spelt as string[]);
const idsArb = fc.shuffledSubarray(POOL).chain(respelt);
const systemArb = fc.constantFrom<boolean | undefined>(true, false, undefined);
const modeArb = fc.constantFrom("additive", "exclusive");
const apiVersionArb = fc.constantFrom<string | undefined>(undefined, "2018-04-01", "2024-11-01");

/** A declaration as a program writes it (before `check`). */
const rawDeclArb = fc.record({
  systemAssigned: systemArb,
  userAssignedIdentities: idsArb,
  mode: modeArb,
  apiVersion: apiVersionArb,
});

/** What the new inputs change besides the declaration. */
const variationArb = fc.record({
  /** `same`: the old declaration respelt and reordered; `fresh`: another declaration. */
  declaration: fc.constantFrom("same", "same", "fresh"),
  scaleSet: fc.constantFrom("same", "same", "same", "respelt", "other", "unknown"),
  endpoint: fc.constantFrom("same", "same", "respelt", "other", "unknown"),
  unknown: fc.constantFrom(
    "none",
    "none",
    "none",
    "userAssignedIdentities",
    "oneIdentity",
    "systemAssigned",
    "mode",
    "apiVersion",
  ),
});

const caseArb = fc.record({
  system: fc.boolean(),
  stateIds: idsArb,
  old: rawDeclArb,
  next: rawDeclArb,
  variation: variationArb,
  systemAssignedOwned: fc.boolean(),
  recordRespelt: fc.boolean(),
  /** Whether the scale set got what the old declaration says (no drift since), or is as generated. */
  converged: fc.boolean(),
  picks: fc.infiniteStream(fc.nat(spellings(POOL[0]).length - 1)),
});

const ENDPOINT = "https://127.0.0.1:8443";

function checked(olds: Props, raw: Props): Props | undefined {
  const { inputs, failures } = stderrOf(() => runtime.check(olds, stripUndefined(raw))).result;
  return failures.length === 0 ? inputs : undefined;
}

function stripUndefined(props: Props): Props {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined));
}

/** The outputs the runtime records for `inputs` on a scale set whose identity is `state` (runtime.ts outputsOf). */
function recorded(inputs: Props, state: IdentityState, systemAssignedOwned: boolean): Props {
  const { systemAssigned, ...record } = recordOf(declarationOf(inputs), state);
  const outs: Props = {
    scaleSetId: inputs.scaleSetId,
    mode: inputs.mode,
    ...record,
    userIdentities: record.userAssignedIdentities.map((id) => ({ id })),
    systemAssignedOwned: systemAssigned === true && systemAssignedOwned,
  };
  for (const key of ["apiVersion", "endpoint"]) if (inputs[key] !== undefined) outs[key] = inputs[key];
  if (systemAssigned !== undefined) outs.systemAssigned = systemAssigned;
  if (state.system) outs.principalId = "249cbddd-667e-47d7-a927-a4ae18fb422b";
  return outs;
}

/** Runs `f` with the provider's stderr (where the dynamic door writes its plan) captured as lines. */
function stderrOf<T>(f: () => T): { result: T; lines: string[] } {
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: f(), lines };
  } finally {
    process.stderr.write = write;
  }
}

/** Applies a change the way the provider does: plan, then (if anything) ARM applies it. */
function converge(current: IdentityState, change: IdentityChange): IdentityState {
  const patch = planPatch(current, change, "dictionary");
  return patch === undefined ? current : applyPatch(current, patch, "dictionary");
}

const keysOf = (ids: readonly string[]) => [...new Set(ids.map((id) => armIdKey(id)))].sort();
const effectKeys = (effect: IdentityEffect | undefined) =>
  effect && {
    ...effect,
    add: keysOf(effect.add),
    adopt: keysOf(effect.adopt),
    remove: keysOf(effect.remove),
    removeForeign: keysOf(effect.removeForeign),
  };
const userKeys = (state: IdentityState) => [...state.user.keys()].sort();

/** The ID at `path` (`userAssignedIdentities[2]`) of `props`, or undefined. */
function idAt(props: Props, path: string): string | undefined {
  const match = /^(\w+)\[(\d+)\]$/.exec(path);
  if (!match) return undefined;
  const list = props[match[1]];
  return Array.isArray(list) ? (list[Number(match[2])] as string) : undefined;
}

describe("one derivation of what changes: every door agrees, and up does what the plan says", () => {
  it("dynamic diff, detailed diff, plan lines and changes agree; the plan is what up does with the algebra", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const pick = (ids: string[]) => ids.map((id) => spellings(id)[c.picks.next().value as number]);
        // 1. The scale set as the resource recorded it at its last create, update or refresh.
        const oldInputs = checked({}, { scaleSetId: SCALE_SET_ID, endpoint: ENDPOINT, ...c.old });
        fc.pre(oldInputs !== undefined);
        const generated = identityStateOf(c.system, c.stateIds);
        const state = c.converged
          ? converge(generated, changeForCreate(generated, declarationOf(oldInputs!)))
          : generated;
        const record = recorded(oldInputs!, state, c.systemAssignedOwned);
        if (c.recordRespelt) {
          record.userAssignedIdentities = pick(record.userAssignedIdentities as string[]);
          record.otherUserAssignedIdentities = pick(record.otherUserAssignedIdentities as string[]);
        }
        // The record reads back as the identity it was made from.
        const read = recordedIdentityOf(record);
        ok(read !== undefined);
        deepEqual(userKeys(read!.current), userKeys(state));
        equal(read!.current.system, state.system);

        // 2. The new inputs, as the engine hands them to diff after check.
        const v = c.variation;
        const raw: Props =
          v.declaration === "same"
            ? {
                ...stripUndefined({
                  systemAssigned: c.old.systemAssigned,
                  mode: c.old.mode,
                  apiVersion: c.old.apiVersion,
                }),
                userAssignedIdentities: pick([...c.old.userAssignedIdentities].reverse()),
              }
            : { ...c.next };
        raw.scaleSetId = {
          same: SCALE_SET_ID,
          respelt: SCALE_SET_ID.toLowerCase(),
          other: OTHER_SCALE_SET,
          unknown: UNKNOWN,
        }[v.scaleSet];
        raw.endpoint = {
          same: ENDPOINT,
          respelt: `${ENDPOINT.toUpperCase()}/`,
          other: "https://127.0.0.1:9443",
          unknown: UNKNOWN,
        }[v.endpoint];
        if (v.unknown === "userAssignedIdentities") raw.userAssignedIdentities = UNKNOWN;
        if (v.unknown === "oneIdentity")
          raw.userAssignedIdentities = [...(raw.userAssignedIdentities as string[]), UNKNOWN];
        if (v.unknown === "systemAssigned" || v.unknown === "mode" || v.unknown === "apiVersion")
          raw[v.unknown] = UNKNOWN;
        const news = checked(oldInputs!, raw);
        fc.pre(news !== undefined);

        // 3. Every door.
        const plan = planChange(record, news!);
        const dynamic = stderrOf(() => runtime.diff(record, news!));
        const plugin = stderrOf(() => pluginDiff(record, news!)).result;
        const lines = dynamic.lines;
        const planLine = lines.find((l) => l.startsWith("VmssManagedIdentity plan for "));

        equal(dynamic.result.changes, plan.changes, "runtime changes = derivation");
        equal(plugin.changes, plan.changes, "plugin changes = derivation");
        deepEqual(dynamic.result.replaces, plan.replaces);
        deepEqual(plugin.replaces, plan.replaces);
        const entries = Object.entries(plugin.detailed);
        equal(
          entries.length > 0,
          plan.changes,
          `a detailed diff exactly when something changes: ${JSON.stringify(plugin.detailed)}`,
        );
        equal(
          entries.some(([, e]) => e.replace),
          plan.replaces.length > 0,
          "a replacement in the detailed diff exactly when diff replaces",
        );
        if (!plan.changes) {
          // Nothing changes: the preview says nothing, but for the switch to an identityIds api-version.
          const switched = (record.apiVersion ?? "2024-11-01") !== (news!.apiVersion ?? "2024-11-01");
          deepEqual(
            lines.filter((l) => !(switched && l.includes("sends the whole identityIds array"))),
            [],
            "nothing changes: the preview says nothing",
          );
          ok(plan.identity === undefined || (!changesIdentity(plan.identity) && plan.identity.adopt.length === 0));
        }
        // Casing and order of IDs are never a change; neither is the same endpoint respelt.
        const respelling = v.declaration === "same" && ["same", "respelt"].includes(v.scaleSet) && v.unknown === "none";
        if (respelling && ["same", "respelt"].includes(v.endpoint)) {
          const base = planChange(record, oldInputs!);
          equal(plan.changes, base.changes);
          deepEqual(effectKeys(plan.identity), effectKeys(base.identity));
          if (c.converged) equal(plan.changes, false, `respelt inputs: ${JSON.stringify(plugin.detailed)}`);
        }

        const effect = plan.identity;
        if (effect === undefined && plan.changes && plan.replaces.length === 0) {
          // An update whose identities only up knows still says what it knows.
          ok(planLine?.includes("the identity change is known only at up"), `plan line: ${planLine}`);
        }
        if (effect === undefined || plan.replaces.length > 0) return;
        // 4. The detailed diff names exactly the identities the plan assigns, adopts and removes.
        const added = entries.filter(([p, e]) => p.startsWith("userAssignedIdentities[") && e.kind !== "delete");
        const removedOwn = entries.filter(([p, e]) => p.startsWith("userAssignedIdentities[") && e.kind !== "add");
        const removedForeign = entries.filter(([p]) => p.startsWith("otherUserAssignedIdentities["));
        deepEqual(
          keysOf(added.map(([p]) => idAt(news!, p)!)),
          keysOf([...effect.add, ...effect.adopt]),
          "added in the detailed diff = added or adopted in the plan",
        );
        deepEqual(
          keysOf(removedOwn.map(([p]) => idAt(record, p)!)),
          keysOf(effect.remove.filter((id) => !effect.removeForeign.includes(id))),
          "removed in the detailed diff = own identities removed in the plan",
        );
        deepEqual(
          keysOf(removedForeign.map(([p]) => idAt(record, p)!)),
          keysOf(effect.removeForeign),
          "foreign identities removed in the detailed diff = in the plan",
        );
        if (effect.systemAssigned !== undefined)
          ok(plugin.detailed.systemAssigned, "the system identity's change has an entry");
        // The plan line names every identity the plan assigns, adopts and removes.
        const says = changesIdentity(effect) || effect.adopt.length > 0;
        equal(planLine !== undefined, says, `plan line: ${planLine}`);
        for (const id of [...effect.add, ...effect.adopt, ...effect.remove])
          ok(planLine!.includes(id), `${id} in ${planLine}`);
        if (effect.systemAssigned) ok(planLine!.includes(`turn the system-assigned identity ${effect.systemAssigned}`));
        // Taking over or removing someone else's identities is a warning, whatever else changes.
        equal(
          lines.some((l) => l.startsWith("warning: ") && l.includes(adoptionWarning(effect.adopt))),
          effect.adopt.length > 0,
          "adoption warns",
        );
        equal(
          lines.some((l) => l.startsWith("warning: ") && l.includes(foreignRemovalWarning(effect.removeForeign))),
          effect.removeForeign.length > 0,
          "exclusive mode's removal of someone else's identities warns",
        );

        // 5. What up does: changeForUpdate + planPatch on the recorded state, applied as ARM applies it.
        // (An api-version unknown in the preview is known to up; the identities do not depend on it.)
        const apiVersion = news!.apiVersion === UNKNOWN ? undefined : (news!.apiVersion as string | undefined);
        const format: BodyFormat = bodyFormatFor(apiVersion ?? "2024-11-01");
        const next = declarationOf(news!);
        const patch = planPatch(state, changeForUpdate(state, declarationOf(record), next), format);
        const after = patch === undefined ? state : applyPatch(state, patch, format);
        deepEqual(
          keysOf(effect.add),
          userKeys(after).filter((k) => !state.user.has(k)),
          "up adds what the plan adds",
        );
        deepEqual(
          keysOf(effect.remove),
          userKeys(state).filter((k) => !after.user.has(k)),
          "up removes what the plan removes",
        );
        equal(effect.systemAssigned, after.system === state.system ? undefined : after.system ? "on" : "off");
        equal(patch === undefined, !changesIdentity(effect), "a PATCH exactly when the plan changes the identity");
        if (!plan.changes) {
          // Nothing changes: up would record exactly what is recorded.
          const { systemAssigned, ...now } = recordOf(next, after);
          deepEqual(keysOf(now.userAssignedIdentities), keysOf(record.userAssignedIdentities as string[]));
          deepEqual(keysOf(now.otherUserAssignedIdentities), keysOf(record.otherUserAssignedIdentities as string[]));
          equal(systemAssigned, record.systemAssigned);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("a creation plans what creating does on a scale set not read yet, in the preview and in check's lines", () => {
    fc.assert(
      fc.property(rawDeclArb, fc.boolean(), (decl, system) => {
        const { result, lines } = stderrOf(() =>
          runtime.check({}, stripUndefined({ scaleSetId: SCALE_SET_ID, ...decl })),
        );
        fc.pre(result.failures.length === 0);
        const plan = planChange(undefined, result.inputs);
        const change = changeForCreate(identityStateOf(system), declarationOf(result.inputs));
        deepEqual(keysOf(plan.identity!.add), keysOf(change.add));
        equal(plan.identity!.systemAssigned, change.system === undefined ? undefined : change.system ? "on" : "off");
        equal(plan.identity!.complete, false);
        const planLine = lines.find((l) => l.startsWith("VmssManagedIdentity plan for "));
        ok(planLine !== undefined, "a creation always says what it will do");
        for (const id of plan.identity!.add) ok(planLine.includes(id));
        equal(
          lines.some((l) => l.includes("identityIds array")),
          decl.apiVersion === "2018-04-01",
        );
      }),
      { numRuns: 100 },
    );
  });
});
