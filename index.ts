/**
 * pulumi-vmss-identity: the managed identities of Azure VM scale sets as Pulumi resources.
 *
 * - {@link VmssManagedIdentity}: owns part (or all) of a scale set's identity, changed by merged ARM PATCH requests.
 * - {@link ScaleSetWithIdentity}: a scale set created with the full ARM PUT body, identity included.
 * - {@link ArmResource}: any ARM resource made by one PUT (resource groups and identities on the local emulator).
 * - {@link VmssIdentityError} and its subclasses: every failure the package raises (codes in docs/errors.md).
 * The ARM emulator is a separate package, `vmss-identity-emulator` (the workspace `emulator/` of the repository).
 */
export {
  VmssManagedIdentity,
  type VmssManagedIdentityArgs,
  type OwnedUserIdentity,
} from "./provider/vmssManagedIdentity";
export { ArmResource, type ArmResourceArgs } from "./provider/armResource";
export type { VmssIdentityCredentials } from "./provider/credentials";
export {
  VmssIdentityError,
  InvalidInputError,
  ErrorCodes,
  isVmssIdentityError,
  type ErrorCode,
  type VmssIdentityErrorInit,
} from "./provider/errors";
export { ArmError, isArmError, TransportErrorCodes } from "./provider/arm/errors";
export { InvalidArmIdError, InvalidApiVersionError, InvalidEndpointError, UnknownCloudError } from "./provider/grammar";
export { InvalidIdentityTypeError } from "./provider/identity/types";
export { IdentityShapeError } from "./provider/identity/state";
export * from "./components";
