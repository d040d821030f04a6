/**
 * What a GET (or PATCH response) tells about a scale set's identity, read into one normal form: the system
 * identity on or off, and the user-assigned identities keyed case-insensitively.
 *
 * ARM is loose in what it returns (docs/arm-behavior.md, "IDs and casing"): dictionary keys in any casing
 * (`resourcegroups`, fully lower-case), values `{}` while an operation runs, `"null"` strings for an identity
 * deleted and re-created, and the 2017-12-01 `identityIds` array. All of that is read; any other shape is an
 * {@link IdentityShapeError}, never silently ignored.
 */
import { ErrorCodes, VmssIdentityError } from "../errors";
import { type ParseArmIdOptions, armIdKey } from "../grammar/armId";
import { canonicalIdentityId, canonicalIdentityIds } from "./identityIds";
import { describeValue, quote } from "../grammar/describeValue";
import { hasSystem, hasUser, parseIdentityType } from "./types";

/** One user-assigned identity on a scale set. */
export interface UserIdentityInfo {
  /** Canonical ARM ID. */
  id: string;
  /** Object (principal) ID of the identity, once ARM reports it. */
  principalId?: string;
  /** Client (application) ID of the identity, once ARM reports it. */
  clientId?: string;
}

/** The identity of a scale set. */
export interface IdentityState {
  /** Whether the system-assigned identity is on. */
  system: boolean;
  /** Principal ID of the system identity (only while it is on, and once ARM reports it). */
  principalId?: string;
  /** Tenant ID of the system identity (only while it is on, and once ARM reports it). */
  tenantId?: string;
  /** User-assigned identities, keyed by {@link armIdKey} of their ID, in the order ARM listed them. */
  user: ReadonlyMap<string, UserIdentityInfo>;
}

/** An `identity` value whose shape is not one ARM produces (code `UnexpectedIdentityShape`). */
export class IdentityShapeError extends VmssIdentityError {
  override readonly name = "IdentityShapeError";
  /** Where in the identity object the problem is, e.g. `identity.userAssignedIdentities`. */
  readonly path: string;

  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`unexpected scale set identity: ${path} ${problem}`, {
      code: ErrorCodes.unexpectedIdentityShape,
      cause: options?.cause,
    });
    this.path = path;
  }
}

/** The state of a scale set without any identity. */
export const NO_IDENTITY: IdentityState = Object.freeze({ system: false, user: new Map() });

/**
 * Builds a state from a system flag and user identity IDs (canonicalised; duplicates by casing collapse). `options`:
 * `{ lenientNames: true }` for IDs ARM returned (see ParseArmIdOptions).
 * @throws InvalidArmIdError for an ID that is not a user-assigned identity ID.
 */
export function identityStateOf(
  system: boolean,
  userIds: readonly string[] = [],
  options?: ParseArmIdOptions,
): IdentityState {
  const user = new Map(canonicalIdentityIds(userIds, options).map((id) => [armIdKey(id), { id }]));
  return { system, user };
}

/**
 * Reads the `identity` JSON of a scale set GET/PUT/PATCH response.
 *
 * Accepts: `undefined`/`null` (no identity: ARM omits the key, docs/arm-behavior.md); property names in any
 * casing; either format (`userAssignedIdentities` dictionary or `identityIds` array); dictionary keys in any
 * casing; values `{}`, `{principalId, clientId}` (strings, `null` or the string `"null"` meaning unknown). Two
 * keys that differ only in casing are one identity (ARM matches keys case-insensitively); their values merge.
 * Unknown extra properties are ignored so a newer api-version cannot break reading.
 *
 * @throws IdentityShapeError for anything else: not an object, a missing or unknown `type`, a malformed ID, a
 *   value of the wrong kind, or a `type` that contradicts the identities listed.
 */
export function readIdentityState(identity: unknown): IdentityState {
  if (identity === undefined || identity === null) return NO_IDENTITY;
  const props = propertiesOf(identity, "identity");

  const rawType = props.get("type");
  if (rawType === undefined || rawType === null) throw new IdentityShapeError("identity.type", "is missing");
  if (typeof rawType !== "string") throw new IdentityShapeError("identity.type", `is ${describeValue(rawType)}`);
  let type;
  try {
    type = parseIdentityType(rawType);
  } catch (cause) {
    throw new IdentityShapeError("identity.type", `is ${quote(rawType)}, not an identity type`, { cause });
  }

  const user = new Map<string, UserIdentityInfo>();
  const dictionary = props.get("userassignedidentities");
  const identityIds = props.get("identityids");
  if (dictionary !== undefined && dictionary !== null) readDictionary(dictionary, user);
  if (identityIds !== undefined && identityIds !== null) {
    if (user.size > 0) {
      throw new IdentityShapeError("identity", "has both userAssignedIdentities and identityIds; expected one format");
    }
    readIdentityIds(identityIds, user);
  }

  if (hasUser(type) && user.size === 0) {
    throw new IdentityShapeError("identity", `has type ${quote(type)} but lists no user-assigned identity`);
  }
  if (!hasUser(type) && user.size > 0) {
    throw new IdentityShapeError("identity", `has type ${quote(type)} but lists user-assigned identities`);
  }

  const state: IdentityState = { system: hasSystem(type), user };
  if (state.system) {
    const principalId = optionalString(props.get("principalid"), "identity.principalId");
    const tenantId = optionalString(props.get("tenantid"), "identity.tenantId");
    if (principalId !== undefined) state.principalId = principalId;
    if (tenantId !== undefined) state.tenantId = tenantId;
  }
  return state;
}

function readDictionary(dictionary: unknown, user: Map<string, UserIdentityInfo>): void {
  const path = "identity.userAssignedIdentities";
  if (typeof dictionary !== "object" || Array.isArray(dictionary)) {
    throw new IdentityShapeError(path, `is ${describeValue(dictionary)}; expected an object keyed by identity ID`);
  }
  for (const [key, value] of Object.entries(dictionary as Record<string, unknown>)) {
    const entryPath = `${path}[${quote(key)}]`;
    const id = identityIdAt(key, entryPath);
    if (value === null) throw new IdentityShapeError(entryPath, "is null; expected an object");
    const values = propertiesOf(value, entryPath);
    const info: UserIdentityInfo = { id };
    const principalId = optionalString(values.get("principalid"), `${entryPath}.principalId`);
    const clientId = optionalString(values.get("clientid"), `${entryPath}.clientId`);
    if (principalId !== undefined) info.principalId = principalId;
    if (clientId !== undefined) info.clientId = clientId;
    addIdentity(user, info);
  }
}

function readIdentityIds(identityIds: unknown, user: Map<string, UserIdentityInfo>): void {
  const path = "identity.identityIds";
  if (!Array.isArray(identityIds)) {
    throw new IdentityShapeError(path, `is ${describeValue(identityIds)}; expected an array of identity IDs`);
  }
  identityIds.forEach((raw, index) => {
    const entryPath = `${path}[${index}]`;
    if (typeof raw !== "string") throw new IdentityShapeError(entryPath, `is ${describeValue(raw)}; expected an ID`);
    addIdentity(user, { id: identityIdAt(raw, entryPath) });
  });
}

function identityIdAt(raw: string, path: string): string {
  try {
    // Lenient names: ARM already accepted these identities; see ParseArmIdOptions.lenientNames.
    return canonicalIdentityId(raw, { lenientNames: true });
  } catch (cause) {
    throw new IdentityShapeError(path, `is not a user-assigned identity ID: ${(cause as Error).message}`, { cause });
  }
}

// ARM matches keys case-insensitively, so two spellings are one identity: keep the first spelling and any
// principal/client ID either entry carries.
function addIdentity(user: Map<string, UserIdentityInfo>, info: UserIdentityInfo): void {
  const key = armIdKey(info.id);
  const existing = user.get(key);
  if (existing === undefined) {
    user.set(key, info);
    return;
  }
  if (existing.principalId === undefined && info.principalId !== undefined) existing.principalId = info.principalId;
  if (existing.clientId === undefined && info.clientId !== undefined) existing.clientId = info.clientId;
}

// Property names by lower-case name. Two names differing only in casing are ambiguous, so they are an error.
function propertiesOf(value: unknown, path: string): Map<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new IdentityShapeError(path, `is ${describeValue(value)}; expected an object`);
  }
  const props = new Map<string, unknown>();
  const names = new Map<string, string>();
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    const lower = name.toLowerCase();
    const previous = names.get(lower);
    if (previous !== undefined) {
      throw new IdentityShapeError(path, `has both ${quote(previous)} and ${quote(name)}`);
    }
    names.set(lower, name);
    props.set(lower, v);
  }
  return props;
}

// principalId/clientId/tenantId: a string, or null/absent/"null" for "not known". The "null" string is what a
// GET shows for an identity deleted and re-created with the same name (docs/arm-behavior.md, "IDs and casing", aad-pod-identity).
function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null || value === "null" || value === "") return undefined;
  if (typeof value !== "string") throw new IdentityShapeError(path, `is ${describeValue(value)}; expected a string`);
  return value;
}
