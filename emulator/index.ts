// Public entry point of the local Azure Resource Manager emulator (the package vmss-identity-emulator).
export { startEmulator, EMULATOR_DEFAULTS, type EmulatorOptions, type RunningEmulator } from "./server";
export { ensureCa, loadCa, CA_CERT_FILE, CA_KEY_FILE } from "./ca-store";
export {
  createCertificateAuthority,
  createClientCertificate,
  issueServerCertificate,
  type CertificateWithKey,
} from "./certificates";
export type { ApplicationSpec, FederatedCredentialSpec } from "./applications";
export { isLoopback } from "./admin-http";
export type { EmulatorAdmin, OperationFailureSpec } from "./admin";
export type { FaultSpec, FaultKind, ArmedFault } from "./faults";
export type { RequestLogEntry } from "./request-log";
export { ARM_RATE_LIMITS, NO_RATE_LIMITS } from "./rate-limits";
export type {
  BucketSpec,
  BucketSpec as WriteBucketSpec,
  ComputePolicyChange,
  ComputePolicySpec,
  RateLimitChanges,
  RateLimitSpec,
} from "./rate-limits";
export type { KeyCasing } from "./resource-ids";
export type { UnassignedRemoval } from "./identity";
export type { StoreSnapshot } from "./store";
export { SCALE_SET_API_VERSIONS, USER_ASSIGNED_IDENTITY_API_VERSIONS } from "./api-versions";
export { PUBLIC_REGIONS } from "./naming-rules";
