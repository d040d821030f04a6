/**
 * The identity `type` string of a scale set: parsed in any casing and spacing, emitted canonically.
 * Microsoft's how-to sends `userAssigned` and `SystemAssigned,UserAssigned` (no space) and they work; responses
 * always use the enum spelling `SystemAssigned, UserAssigned` (docs/arm-behavior.md, "Shapes by api-version").
 */
import { ErrorCodes, InvalidInputError } from "../errors";
import { quote } from "../grammar/describeValue";

/** The canonical identity types, exactly as the Compute spec's enum spells them. */
export type IdentityType = "None" | "SystemAssigned" | "UserAssigned" | "SystemAssigned, UserAssigned";

/** Every {@link IdentityType}, in the order messages list them. */
export const IDENTITY_TYPES: readonly IdentityType[] = [
  "None",
  "SystemAssigned",
  "UserAssigned",
  "SystemAssigned, UserAssigned",
];

/** A type string that is none of the four identity types (code `InvalidIdentityType`). */
export class InvalidIdentityTypeError extends InvalidInputError {
  override readonly name = "InvalidIdentityTypeError";
  /** The rejected input, unchanged. */
  readonly value: string;
  /** The canonical spellings accepted. */
  readonly allowed: readonly IdentityType[] = IDENTITY_TYPES;

  constructor(value: string) {
    super(
      `invalid identity type ${quote(value)}: expected one of ${IDENTITY_TYPES.map((t) => quote(t)).join(", ")} ` +
        `(any casing, space after the comma optional)`,
      { code: ErrorCodes.invalidIdentityType },
    );
    this.value = value;
  }
}

/**
 * Parses an identity type in any casing, with or without spaces around the comma
 * (`userAssigned`, `SystemAssigned,UserAssigned`, ` systemassigned , userassigned `).
 * @throws InvalidIdentityTypeError naming the value and the allowed types.
 */
export function parseIdentityType(value: string): IdentityType {
  if (typeof value !== "string") throw new InvalidIdentityTypeError(String(value));
  const parts = value.split(",").map((p) => p.trim().toLowerCase());
  const [first, second] = parts;
  if (parts.length === 1) {
    if (first === "none") return "None";
    if (first === "systemassigned") return "SystemAssigned";
    if (first === "userassigned") return "UserAssigned";
  }
  if (parts.length === 2 && first === "systemassigned" && second === "userassigned") {
    return "SystemAssigned, UserAssigned";
  }
  throw new InvalidIdentityTypeError(value);
}

/** The identity type of a scale set with (`system`) or without the system identity and with or without user ones. */
export function identityTypeOf(system: boolean, hasUser: boolean): IdentityType {
  if (system) return hasUser ? "SystemAssigned, UserAssigned" : "SystemAssigned";
  return hasUser ? "UserAssigned" : "None";
}

/** Whether a type includes the system-assigned identity. */
export function hasSystem(type: IdentityType): boolean {
  return type === "SystemAssigned" || type === "SystemAssigned, UserAssigned";
}

/** Whether a type includes user-assigned identities. */
export function hasUser(type: IdentityType): boolean {
  return type === "UserAssigned" || type === "SystemAssigned, UserAssigned";
}
