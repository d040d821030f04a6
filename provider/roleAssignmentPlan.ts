/**
 * Role assignments owned with the identity, the pure part (no I/O): what a `VmssManagedIdentity` declares in
 * `roleAssignments`, its validation and canonical form, the deterministic assignment name, what changes between the
 * assignments in place and those declared (for `diff`, the preview's plan line and `update`), and the backoff on
 * `PrincipalNotFound`. The requests are in roleAssignmentRuntime.ts.
 *
 * Why the assignments belong to the identity resource and not to a resource of their own (docs/component.md, "Role
 * assignments"): an assignment must be deleted before the PATCH that deletes its principal (turning the system
 * identity off, or deleting the resource), else it stays behind as "Identity not found" (docs/arm-behavior.md, "Role
 * assignments"). Pulumi runs the deletions of resources dropped from a program after every update of the run, so a
 * separate assignment resource would be deleted only after the identity's PATCH; inside one resource the order is
 * ours.
 */
import { createHash } from "node:crypto";
import { parseArmResourceId, parseUserAssignedIdentityId, armIdKey } from "./grammar/armId";
import { describeValue, quote } from "./grammar/describeValue";
import type { CheckFailure } from "./identity";

/** One role assignment as declared: which of the resource's identities gets which role where. */
export interface RoleAssignmentDeclaration {
  /** `"system"` (the system-assigned identity) or the ID of one of the resource's `userAssignedIdentities`. */
  identity: string;
  /** After `check`: the role definition's GUID (lower-case); as input also a built-in role name or definition ID. */
  role: string;
  /** The ARM ID of the scope: a subscription, a resource group or a resource. */
  scope: string;
}

/** An assignment in place, as recorded in the resource's outputs. */
export interface RoleAssignmentInPlace extends RoleAssignmentDeclaration {
  /** The built-in role's name, when the role is a built-in one. */
  roleName?: string;
  /** The principal (object) ID it was made for. */
  principalId: string;
  /** Its ARM ID: `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`. */
  id: string;
  /**
   * How it came to be recorded: `"created"` (this resource made it: it deletes it when the entry or the resource
   * goes) or `"adopted"` (it existed already, made by hand, by another stack or by another resource of this product:
   * it is released, not deleted). Absent in states written before 0.2: `"created"`.
   */
  origin?: "created" | "adopted";
}

/** Whether this resource made the assignment (so deletes it), rather than adopting one that existed. */
export function createdHere(assignment: RoleAssignmentInPlace): boolean {
  return assignment.origin !== "adopted";
}

/**
 * Built-in roles by name, with the GUID they have in every tenant (docs/arm-behavior.md, "Role assignments";
 * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles). Other roles are given by definition ID.
 */
export const BUILT_IN_ROLES: Readonly<Record<string, string>> = {
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  Reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  "Managed Identity Operator": "f1a07417-d97a-45cb-824c-7a7467783830",
  "Managed Identity Contributor": "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
  "Virtual Machine Contributor": "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
  "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
  "Key Vault Secrets Officer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
  "Key Vault Reader": "21090545-7ca7-4776-b22c-e363652d74d2",
  AcrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFINITION_ID =
  /^(?:\/subscriptions\/[0-9a-f-]{36})?\/providers\/microsoft\.authorization\/roledefinitions\/([0-9a-f-]{36})$/i;
const ROLE_EXPECTED =
  `a built-in role name (${Object.keys(BUILT_IN_ROLES).join(", ")}; any casing), a role definition GUID, or a role ` +
  `definition ID /subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid} or ` +
  `/providers/Microsoft.Authorization/roleDefinitions/{guid}`;

/** The role definition GUID a role names; undefined when it names none. */
export function roleGuidOf(role: string): string | undefined {
  const text = role.trim();
  if (GUID.test(text)) return text.toLowerCase();
  const id = DEFINITION_ID.exec(text);
  if (id !== null && GUID.test(id[1])) return id[1].toLowerCase();
  const name = Object.keys(BUILT_IN_ROLES).find((known) => known.toLowerCase() === text.toLowerCase());
  return name === undefined ? undefined : BUILT_IN_ROLES[name];
}

/** The built-in role's name for a GUID, if it is one. */
export function builtInRoleName(guid: string): string | undefined {
  return Object.keys(BUILT_IN_ROLES).find((name) => BUILT_IN_ROLES[name] === guid.toLowerCase());
}

/**
 * Validates `roleAssignments` against the rest of the declaration, and returns it canonical (identity `"system"` or
 * the user identity's canonical ID, role as its GUID, scope as its canonical ID). Failures name the entry, the value
 * and what was expected. Unknown values (preview) pass through untouched.
 * @param systemAssigned the declaration's `systemAssigned` (an assignment for "system" needs `true`).
 * @param userIdentities the declaration's `userAssignedIdentities` (an assignment for one must name one of them).
 */
export function validateRoleAssignments(
  value: unknown,
  systemAssigned: unknown,
  userIdentities: unknown,
  isUnknown: (value: unknown) => boolean,
): { value?: RoleAssignmentDeclaration[] | unknown; failures: CheckFailure[] } {
  const failures: CheckFailure[] = [];
  // The property is the entry's path when the reason starts with one (`roleAssignments[0].role: …`), as credentials
  // failures do: the engine prints the value of the property named, and the whole list says nothing of which entry.
  const fail = (reason: string) =>
    failures.push({ property: /^(roleAssignments\[\d+\](?:\.\w+)?):/.exec(reason)?.[1] ?? "roleAssignments", reason });
  if (value === undefined || value === null) return { failures };
  if (isUnknown(value)) return { value, failures };
  if (!Array.isArray(value)) {
    fail(`expected a list of { identity, role, scope }, got ${describeValue(value)}`);
    return { failures };
  }
  const users = Array.isArray(userIdentities) ? userIdentities.filter((id) => typeof id === "string") : [];
  const userKeys = new Map(users.map((id: string) => [armIdKey(id), id]));
  const out: RoleAssignmentDeclaration[] = [];
  const seen = new Map<string, number>();
  value.forEach((entry: unknown, index: number) => {
    const at = `roleAssignments[${index}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      fail(`${at}: expected { identity, role, scope }, got ${describeValue(entry)}`);
      return;
    }
    const { identity, role, scope, ...rest } = entry as Record<string, unknown>;
    for (const extra of Object.keys(rest)) fail(`${at}.${extra}: unknown property; expected identity, role, scope`);
    if ([identity, role, scope].some(isUnknown)) {
      out.push(entry as RoleAssignmentDeclaration);
      return;
    }
    let canonicalIdentity: string | undefined;
    if (typeof identity === "string" && identity.trim().toLowerCase() === "system") {
      if (systemAssigned !== true && !isUnknown(systemAssigned)) {
        fail(
          `${at}.identity: "system" needs systemAssigned: true (the resource manages the system-assigned identity ` +
            `only then), got systemAssigned ${describeValue(systemAssigned)}`,
        );
      } else canonicalIdentity = "system";
    } else if (typeof identity === "string") {
      let key: string | undefined;
      try {
        key = armIdKey(parseUserAssignedIdentityId(identity).id);
      } catch {
        key = undefined;
      }
      const owned = key === undefined ? undefined : userKeys.get(key);
      if (owned === undefined && !isUnknown(userIdentities)) {
        fail(
          `${at}.identity: expected "system" or one of this resource's userAssignedIdentities ` +
            `(${users.length === 0 ? "none declared" : users.map((id) => quote(id)).join(", ")}), got ${quote(identity)}`,
        );
      } else canonicalIdentity = owned ?? identity;
    } else {
      fail(`${at}.identity: expected "system" or a user-assigned identity ID, got ${describeValue(identity)}`);
    }
    const roleGuid = typeof role === "string" ? roleGuidOf(role) : undefined;
    if (roleGuid === undefined) fail(`${at}.role: expected ${ROLE_EXPECTED}, got ${describeValue(role)}`);
    let canonicalScope: string | undefined;
    if (typeof scope !== "string") {
      fail(
        `${at}.scope: expected the ARM ID of a subscription, resource group or resource, got ${describeValue(scope)}`,
      );
    } else {
      try {
        canonicalScope = parseArmResourceId(scope.replace(/\/+$/, "")).id;
      } catch (e) {
        fail(`${at}.scope: ${(e as Error).message}`);
      }
    }
    if (canonicalIdentity === undefined || roleGuid === undefined || canonicalScope === undefined) return;
    const declared = { identity: canonicalIdentity, role: roleGuid, scope: canonicalScope };
    const key = declarationKey(declared);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      fail(`${at}: the same identity, role and scope as roleAssignments[${earlier}]; declare each assignment once`);
      return;
    }
    seen.set(key, index);
    out.push(declared);
  });
  return { value: out, failures };
}

/** What identifies a declared assignment, whatever the casing: identity, role and scope. */
export function declarationKey(d: RoleAssignmentDeclaration): string {
  return `${d.identity === "system" ? "system" : armIdKey(d.identity)}|${d.role.toLowerCase()}|${armIdKey(d.scope)}`;
}

/** RFC 4122 namespace of the assignment names (a fixed random UUID: names stay stable across versions). */
const NAME_NAMESPACE = "5b0f7a4e-8a52-4c8e-9f3d-6f1d2a3c4b5e";

/**
 * The assignment's name: a version-5 UUID (SHA-1, RFC 4122 section 4.3) of scope, role and principal, lower-cased.
 * The same assignment always gets the same name, so a retry or a second `up` finds it instead of making a duplicate
 * (ARM refuses a duplicate under another name: 409 RoleAssignmentExists).
 */
export function assignmentName(scope: string, roleGuid: string, principalId: string): string {
  const namespace = Buffer.from(NAME_NAMESPACE.replace(/-/g, ""), "hex");
  const hash = createHash("sha1")
    .update(namespace)
    .update(`${armIdKey(scope)}|${roleGuid.toLowerCase()}|${principalId.toLowerCase()}`)
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}` */
export function assignmentId(scope: string, name: string): string {
  return `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
}

/** The role definition ID a PUT names: under the scope's subscription, as ARM returns it. */
export function roleDefinitionIdFor(scope: string, roleGuid: string): string {
  const subscription = parseArmResourceId(scope).subscriptionId;
  return `/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}

/** What changes between the assignments in place and those declared. */
export interface RoleAssignmentChange {
  /** Declared and not in place (or in place for another principal). */
  add: RoleAssignmentDeclaration[];
  /** In place and no longer declared. */
  remove: RoleAssignmentInPlace[];
}

/**
 * The change from the assignments in place to the declared ones. `principals` gives the principal each identity has
 * now, where known: an assignment in place for another principal (the system identity was turned off and on behind
 * Pulumi's back) is removed and made again.
 */
export function roleAssignmentChange(
  inPlace: readonly RoleAssignmentInPlace[],
  declared: readonly RoleAssignmentDeclaration[],
  principals: (identity: string) => string | undefined = () => undefined,
): RoleAssignmentChange {
  const current = (a: RoleAssignmentInPlace): boolean => {
    const principal = principals(a.identity);
    return principal === undefined || principal.toLowerCase() === a.principalId.toLowerCase();
  };
  const placed = new Set(inPlace.filter(current).map(declarationKey));
  const wanted = new Set(declared.map(declarationKey));
  return {
    add: declared.filter((d) => !placed.has(declarationKey(d))),
    remove: inPlace.filter((a) => !wanted.has(declarationKey(a)) || !current(a)),
  };
}

/** The preview's words for a change: `add Reader on <scope> for system; remove …`; undefined when nothing changes. */
export function describeRoleAssignmentChange(change: RoleAssignmentChange): string | undefined {
  const words = (d: RoleAssignmentDeclaration): string =>
    `${builtInRoleName(d.role) ?? d.role} on ${d.scope} for ${d.identity === "system" ? "the system-assigned identity" : d.identity}`;
  const parts: string[] = [];
  if (change.add.length > 0) parts.push(`add ${change.add.map(words).join(", ")}`);
  if (change.remove.length > 0) parts.push(`remove ${change.remove.map(words).join(", ")}`);
  return parts.length === 0 ? undefined : parts.join("; ");
}

/**
 * Waits before each retry of an assignment ARM refused with `PrincipalNotFound` although it carried `principalType`
 * (a replica that has not seen the principal yet: docs/arm-behavior.md, "Role assignments"), in ms: doubling from
 * 2 s, capped at 30 s a wait and 10 retries, about 3.5 min in all. Past that the error is reported.
 */
export const PRINCIPAL_NOT_FOUND_DELAYS_MS: readonly number[] = [
  2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000, 30000,
];
