// ARM error responses: the envelope {"error":{"code","message","target"?,"details"?}} of the ARM RPC
// (common-api-details.md, see docs/arm-behavior.md, "Errors") and every error the emulator returns,
// each with the wording ARM uses where a source shows it. Handlers throw ArmFailure; the server
// renders it.
import { STATUS_CODES } from "node:http";

/** An ARM error detail, as nested in `error.details`. */
export interface ArmErrorDetail {
  code: string;
  message: string;
  target?: string;
}

/** A request the emulator rejects, rendered as an ARM error response. */
export class ArmFailure extends Error {
  override readonly name = "ArmFailure";

  constructor(
    /** HTTP status code. */
    readonly status: number,
    /** ARM `error.code`. */
    readonly code: string,
    message: string,
    readonly extra: { target?: string; details?: ArmErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }

  /** The JSON body ARM sends. */
  body(): { error: { code: string; message: string; target?: string; details?: ArmErrorDetail[] } } {
    const error: { code: string; message: string; target?: string; details?: ArmErrorDetail[] } = {
      code: this.code,
      message: this.message,
    };
    if (this.extra.target !== undefined) error.target = this.extra.target;
    if (this.extra.details !== undefined) error.details = this.extra.details;
    return { error };
  }
}

// --- request shape -------------------------------------------------------------------------------

/** 400 without `api-version` (wording seen in public ARM responses). */
export function missingApiVersion(): ArmFailure {
  return new ArmFailure(
    400,
    "MissingApiVersionParameter",
    "The api-version query parameter (?api-version=) is required for all requests.",
  );
}

/** 400 for an api-version that is not a date (yyyy-MM-dd with an optional -suffix). */
export function invalidApiVersion(value: string): ArmFailure {
  return new ArmFailure(
    400,
    "InvalidApiVersionParameter",
    `The api-version '${value}' is invalid. The supported versions are listed in the error of a request with a known api-version format (yyyy-MM-dd or yyyy-MM-dd-preview).`,
  );
}

/** 400 for an api-version the resource type does not serve; the message lists the supported ones (docs/arm-behavior.md). */
export function noRegisteredProvider(
  type: string,
  apiVersion: string,
  supported: readonly string[],
  location: string | undefined,
): ArmFailure {
  const where = location === undefined ? "location" : `location '${location}'`;
  return new ArmFailure(
    400,
    "NoRegisteredProviderFound",
    `No registered resource provider found for ${where} and API version '${apiVersion}' for type '${type}'. ` +
      `The supported api-versions are '${supported.join(", ")}'. The supported locations are '${SUPPORTED_LOCATIONS.join(", ")}'.`,
  );
}

/** Regions named in NoRegisteredProviderFound messages; the emulator itself accepts any location. */
export const SUPPORTED_LOCATIONS = [
  "eastus",
  "eastus2",
  "westus",
  "westus2",
  "westus3",
  "centralus",
  "northcentralus",
  "southcentralus",
  "westcentralus",
  "northeurope",
  "westeurope",
  "uksouth",
  "francecentral",
  "germanywestcentral",
  "swedencentral",
  "eastasia",
  "southeastasia",
  "japaneast",
  "australiaeast",
  "centralindia",
  "brazilsouth",
  "canadacentral",
];

/** 400 for a body that is not valid JSON or has the wrong JSON type somewhere (ARM's deserialisation error). */
export function invalidRequestContent(reason: string): ArmFailure {
  return new ArmFailure(
    400,
    "InvalidRequestContent",
    `The request content was invalid and could not be deserialized: '${reason}'.`,
  );
}

/** 400 when a PUT has no location (ARM wording). */
export function locationRequired(): ArmFailure {
  return new ArmFailure(400, "LocationRequired", "The location property is required for this definition.");
}

/** 400 for a path segment that is not a subscription GUID. */
export function invalidSubscriptionId(value: string): ArmFailure {
  return new ArmFailure(
    400,
    "InvalidSubscriptionId",
    `The provided subscription identifier '${value}' is malformed or invalid.`,
  );
}

/** 404 for a path the emulator does not serve (not an ARM wording: the emulator models a subset of ARM). */
export function unknownRoute(method: string, path: string): ArmFailure {
  return new ArmFailure(
    404,
    "NotFound",
    `The ARM emulator does not serve '${method} ${path}'. It serves subscriptions, resource groups, ` +
      `Microsoft.ManagedIdentity/userAssignedIdentities, Microsoft.Compute/virtualMachineScaleSets and ` +
      `Microsoft.Authorization roleAssignments and roleDefinitions.`,
  );
}

/** 405 for a method a known path does not support. */
export function methodNotAllowed(method: string, allowed: readonly string[]): ArmFailure {
  return new ArmFailure(
    405,
    "MethodNotAllowed",
    `The HTTP method '${method}' is not supported here; supported: ${allowed.join(", ")}.`,
    { headers: { allow: allowed.join(", ") } },
  );
}

/** 413 for a body above the emulator's limit. */
export function bodyTooLarge(limitBytes: number): ArmFailure {
  return new ArmFailure(413, "RequestEntityTooLarge", `The request body exceeds ${limitBytes} bytes.`);
}

// --- authentication (docs/arm-behavior.md, "Errors"; wording seen in public ARM responses) -------------

/** 401 without an Authorization header. */
export function authenticationMissing(wwwAuthenticate: string): ArmFailure {
  return new ArmFailure(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.", {
    headers: { "www-authenticate": wwwAuthenticate },
  });
}

/** 401 for an Authorization header that is not `Bearer <token>`. */
export function authenticationMalformed(wwwAuthenticate: string): ArmFailure {
  return new ArmFailure(
    401,
    "AuthenticationFailed",
    "Authentication failed. The 'Authorization' header is provided in an invalid format.",
    { headers: { "www-authenticate": wwwAuthenticate } },
  );
}

/** 401 for a token the emulator did not issue, or revoked. */
export function invalidToken(wwwAuthenticate: string): ArmFailure {
  return new ArmFailure(401, "InvalidAuthenticationToken", "The access token is invalid.", {
    headers: { "www-authenticate": wwwAuthenticate },
  });
}

/** 401 for an expired token; ARM prints both times as M/d/yyyy h:mm:ss AM/PM in UTC. */
export function expiredToken(expiredAt: Date, now: Date, wwwAuthenticate: string): ArmFailure {
  return new ArmFailure(
    401,
    "ExpiredAuthenticationToken",
    `The access token expiry UTC time '${armDateTime(expiredAt)}' is earlier than current UTC time '${armDateTime(now)}'.`,
    { headers: { "www-authenticate": wwwAuthenticate } },
  );
}

function armDateTime(date: Date): string {
  const hours = date.getUTCHours();
  const pad = (n: number): string => String(n).padStart(2, "0");
  return (
    `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()} ` +
    `${hours % 12 === 0 ? 12 : hours % 12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? "AM" : "PM"}`
  );
}

// --- authorization (docs/arm-behavior.md, "Errors") ------------------------------------------------------------

/** 403 when the client may not perform `action` on `scope` (aad-pod-identity#778 wording). */
export function authorizationFailed(objectId: string, action: string, scope: string): ArmFailure {
  return new ArmFailure(
    403,
    "AuthorizationFailed",
    `The client '${objectId}' with object id '${objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

/** 403 when the client may not assign a user-assigned identity (aad-pod-identity#613 wording). */
export function linkedAuthorizationFailed(objectId: string, scope: string, linkedScopes: string[]): ArmFailure {
  return new ArmFailure(
    403,
    "LinkedAuthorizationFailed",
    `The client '${objectId}' with object id '${objectId}' has permission to perform action 'Microsoft.Compute/virtualMachineScaleSets/write' on scope '${scope}'; however, it does not have permission to perform action 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action' on the linked scope(s) '${linkedScopes.join(",")}' or the linked scope(s) are invalid.`,
  );
}

// --- resources ------------------------------------------------------------------------------------

/** 404 for a missing resource group (ARM wording). */
export function resourceGroupNotFound(name: string): ArmFailure {
  return new ArmFailure(404, "ResourceGroupNotFound", `Resource group '${name}' could not be found.`);
}

/** 404 for a missing resource (docs/arm-behavior.md, "Errors", aad-pod-identity#63 wording). */
export function resourceNotFound(type: string, name: string, resourceGroup: string): ArmFailure {
  return new ArmFailure(
    404,
    "ResourceNotFound",
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found.`,
  );
}

/** 409 for a write to a resource group that is being deleted. */
export function resourceGroupBeingDeleted(name: string): ArmFailure {
  return new ArmFailure(
    409,
    "ResourceGroupBeingDeleted",
    `The resource group '${name}' is in deprovisioning state and cannot perform this operation.`,
  );
}

/** 409 for a resource group PUT in another location than the existing group's. */
export function resourceGroupLocationConflict(requested: string, existing: string): ArmFailure {
  return new ArmFailure(
    409,
    "InvalidResourceGroupLocation",
    `Invalid resource group location '${requested}'. The Resource group already exists in location '${existing}'.`,
  );
}

/** 400 for a resource PUT in another location than the existing resource's. */
export function resourceLocationConflict(
  name: string,
  resourceGroup: string,
  existing: string,
  requested: string,
): ArmFailure {
  return new ArmFailure(
    400,
    "InvalidResourceLocation",
    `The resource '${name}' already exists in location '${existing}' in resource group '${resourceGroup}'. A resource with the same name cannot be created in location '${requested}'. Please select a new resource name.`,
  );
}

/** 400 for a malformed resource name in the path. */
export function invalidResourceName(kind: string, name: string, rule: string): ArmFailure {
  return new ArmFailure(400, "InvalidResourceName", `The ${kind} name '${name}' is invalid: ${rule}.`);
}

/** 409 for a write while another operation runs on the scale set (docs/arm-behavior.md, "Errors", exact string). */
export function concurrentConflict(): ArmFailure {
  return new ArmFailure(
    409,
    "Conflict",
    "The request failed due to conflict with a concurrent request. To resolve it, please refer to https://aka.ms/activitylog to get more details on the conflicting requests.",
  );
}

/** 409 for a write to a scale set being deleted (microsoft/onefuzz#511 wording, docs/arm-behavior.md, "Errors"). */
export function markedForDeletion(operation: string, name: string): ArmFailure {
  return new ArmFailure(
    409,
    "OperationNotAllowed",
    `Operation '${operation}' is not allowed on Virtual Machine Scale Set '${name}' since it is marked for deletion. For more information on your operations, please refer to https://aka.ms/activitylog.`,
  );
}

/** 412 when If-Match / If-None-Match does not hold (ARM RPC resource-api-reference.md). */
export function preconditionFailed(message: string): ArmFailure {
  return new ArmFailure(412, "PreconditionFailed", message);
}

/** 400 for a value of a parameter Compute rejects (Compute's InvalidParameter shape). */
export function invalidParameter(message: string, target: string): ArmFailure {
  return new ArmFailure(400, "InvalidParameter", message, { target });
}

// --- identity (docs/arm-behavior.md, "Errors") -------------------------------------------------------

/** 400 when UserAssigned would end with no identity (ARM-level text; code applied to VMSS is inferred). */
export function missingIdentityIds(): ArmFailure {
  return new ArmFailure(
    400,
    "MissingIdentityIds",
    "The identity ids must not be null or empty for 'UserAssigned' identity type.",
  );
}

/** 400 for 2017-12-01 `identityIds` with a non-UserAssigned type (aad-pod-identity#214, azure-powershell#5999). */
export function identityIdsNotAllowed(type: string): ArmFailure {
  return new ArmFailure(
    400,
    "InvalidParameter",
    `ResourceIdentity identityIds should not be provided if the type is "${type}".`,
    { target: "resourceIdentity.identityIds" },
  );
}

/** 400 for a userAssignedIdentities dictionary with a non-UserAssigned type (ARM/MSI wording, azure-rest-api-specs#17650). */
export function dictionaryNotAllowed(): ArmFailure {
  return new ArmFailure(
    400,
    "InvalidParameter",
    "The request format was unexpected, a non-UserAssigned identity type should not contain: userAssignedIdentities",
    { target: "identity.userAssignedIdentities" },
  );
}

/** 400 for a dictionary value other than {}, null or the stored read-only value (kubernetes/autoscaler#1592, AzOps#538; "exisiting" sic). */
export function invalidIdentityValues(id: string): ArmFailure {
  return new ArmFailure(
    400,
    "InvalidIdentityValues",
    `Invalid value for the identities '${id}'. The 'UserAssignedIdentities' property keys should only be empty json objects, null or the resource exisiting property.`,
  );
}

/** 400 for a key that is not a user-assigned identity ARM ID (azure-cli#25401 wording). */
export function linkedInvalidPropertyId(value: string): ArmFailure {
  return new ArmFailure(
    400,
    "LinkedInvalidPropertyId",
    `Property id '${value}' at path '' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.`,
  );
}

/** 400 when a referenced identity does not exist (azure-policy#1311 wording, docs/arm-behavior.md, "Errors"). */
export function failedIdentityOperation(resourceId: string, identityId: string): ArmFailure {
  const inner = `{"error":{"code":"BadRequest","message":"Resource '${identityId}' was not found."}}`;
  return new ArmFailure(
    400,
    "FailedIdentityOperation",
    `Identity operation for resource '${resourceId}' failed with error 'Failed to perform resource identity operation. Status: 'BadRequest'. Response: '${inner}'.'.`,
  );
}

/**
 * 400 for `null` on an identity that is not assigned. The real code and text are unknown
 * (docs/arm-behavior.md, "Errors"); this wording is the emulator's.
 */
export function identityNotAssigned(id: string, scaleSetName: string): ArmFailure {
  return new ArmFailure(
    400,
    "InvalidParameter",
    `The user-assigned identity '${id}' cannot be removed: it is not assigned to the virtual machine scale set '${scaleSetName}'.`,
    { target: "identity.userAssignedIdentities" },
  );
}

// --- throttling (docs/arm-behavior.md, "Throttling") -----------------------------------------------------------------

/**
 * 429 from an empty subscription bucket: ARM's throttling code and wording (learn.microsoft.com, "Understand how
 * Azure Resource Manager throttles requests"; docs/arm-behavior.md "Throttling").
 */
export function subscriptionThrottled(
  subscriptionId: string,
  kind: "reads" | "writes" | "deletes",
  retryAfterSeconds: number,
): ArmFailure {
  const what = kind === "reads" ? "read" : kind === "writes" ? "write" : "delete";
  return new ArmFailure(
    429,
    "SubscriptionRequestsThrottled",
    `Number of '${what}' requests for subscription '${subscriptionId}' exceeded. Please try again after '${retryAfterSeconds}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling`,
    { headers: { "retry-after": String(retryAfterSeconds) } },
  );
}

/**
 * Compute's 429 for a spent policy: `OperationNotAllowed` with a `TooManyRequests` detail whose target is the policy
 * and whose message is JSON with the window and the counts (MicrosoftDocs/azure-docs
 * articles/virtual-machines/troubleshooting/troubleshooting-throttling-errors.md; docs/arm-behavior.md).
 */
export function computeThrottled(
  retryAfterSeconds: number,
  policy: { name: string; limit: number; windowStart?: number; now?: number; measured?: number } = {
    name: "HighCostGet3Min",
    limit: 0,
  },
  remainingHeader?: string,
): ArmFailure {
  const window = {
    operationGroup: policy.name,
    startTime: policy.windowStart === undefined ? "" : new Date(policy.windowStart).toISOString(),
    endTime: policy.now === undefined ? "" : new Date(policy.now).toISOString(),
    allowedRequestCount: policy.limit,
    measuredRequestCount: policy.measured ?? 0,
  };
  const headers: Record<string, string> = { "retry-after": String(retryAfterSeconds) };
  if (remainingHeader !== undefined) headers["x-ms-ratelimit-remaining-resource"] = remainingHeader;
  return new ArmFailure(
    429,
    "OperationNotAllowed",
    "The server rejected the request because too many requests have been received for this subscription.",
    { details: [{ code: "TooManyRequests", target: policy.name, message: JSON.stringify(window) }], headers },
  );
}

/**
 * ARM's error code for a status when nothing more specific applies: the codes ARM and the resource providers
 * send with these statuses (e.g. `Conflict` with 409 and `PreconditionFailed` with 412 in Compute's answers,
 * `TooManyRequests` in the throttling details, https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors),
 * else the name of .NET's HttpStatusCode for the status (the names ARM's generic errors use).
 */
export function defaultErrorCode(status: number): string {
  const known: Record<number, string> = {
    400: "BadRequest",
    401: "AuthenticationFailed",
    403: "AuthorizationFailed",
    404: "ResourceNotFound",
    405: "MethodNotAllowed",
    408: "RequestTimeout",
    409: "Conflict",
    412: "PreconditionFailed",
    413: "RequestEntityTooLarge",
    415: "UnsupportedMediaType",
    429: "TooManyRequests",
    500: "InternalServerError",
    501: "NotImplemented",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
  };
  if (known[status] !== undefined) return known[status];
  const phrase = STATUS_CODES[status];
  return phrase === undefined
    ? `Http${status}`
    : phrase
        .split(/[^A-Za-z0-9]+/)
        .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
        .join("");
}

/** An injected status with ARM's error body: the code given, else ARM's code for that status. */
export function injectedStatus(
  status: number,
  retryAfterSeconds: number | undefined,
  code?: string,
  message?: string,
): ArmFailure {
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) headers["retry-after"] = String(retryAfterSeconds);
  const errorCode = code ?? defaultErrorCode(status);
  return new ArmFailure(
    status,
    errorCode,
    message ?? `Fault injected by the ARM emulator: HTTP ${status} ${errorCode}.`,
    { headers },
  );
}

/** 500 for an unexpected emulator bug; the message never carries request data. */
export function internalError(): ArmFailure {
  return new ArmFailure(500, "InternalServerError", "The ARM emulator failed to process the request.");
}

/** 500 when the state file (--state) could not be written: the change is not acknowledged. */
export function stateNotSaved(): ArmFailure {
  return new ArmFailure(
    500,
    "InternalServerError",
    "The ARM emulator could not write its state file; the change may not survive a restart. See the emulator's log.",
  );
}

// --- Microsoft.Authorization (docs/arm-behavior.md, "Role assignments") ----------------------------------------------

/** A GUID as ARM prints it in role messages: 32 hex digits without dashes (the messages quoted in the doc). */
function compactGuid(guid: string): string {
  return guid.replace(/-/g, "").toLowerCase();
}

/**
 * 400 PrincipalNotFound: the principal does not exist in the directory, or not yet in the replica ARM asked (Azure's
 * wording, quoted in Azure/avdaccelerator#99 and Azure/azure-powershell#16551, two spaces before "See" included).
 */
export function principalNotFound(principalId: string, tenantId: string): ArmFailure {
  return new ArmFailure(
    400,
    "PrincipalNotFound",
    `Principal ${compactGuid(principalId)} does not exist in the directory ${tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
  );
}

/** 409 for the same principal, role and scope under another name; names the existing assignment (Azure's wording). */
export function roleAssignmentExists(existingName: string): ArmFailure {
  return new ArmFailure(
    409,
    "RoleAssignmentExists",
    `The role assignment already exists. The ID of the existing role assignment is ${compactGuid(existingName)}.`,
  );
}

/** 409 for a PUT that would change an existing assignment's principal, role or scope (Azure's wording). */
export function roleAssignmentUpdateNotPermitted(): ArmFailure {
  return new ArmFailure(
    409,
    "RoleAssignmentUpdateNotPermitted",
    "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
  );
}

/** 400 when principalType names another kind than the principal is (Azure's wording, "PrinciaplType" sic). */
export function unmatchedPrincipalType(principalId: string, actual: string, given: string): ArmFailure {
  return new ArmFailure(
    400,
    "UnmatchedPrincipalType",
    `The PrincipalId '${compactGuid(principalId)}' has type '${actual}' , which is different from specified PrinciaplType '${given}'.`,
  );
}

/**
 * A role definition that does not exist (Azure's code and wording): 404 for a GET of the definition, 400 for a role
 * assignment that names it.
 */
export function roleDefinitionNotFound(value: string, status: 400 | 404 = 404): ArmFailure {
  return new ArmFailure(
    status,
    "RoleDefinitionDoesNotExist",
    `The specified role definition with ID '${value}' does not exist.`,
  );
}

/** 400 for a role assignment name that is not a GUID (the spec: "It can be any valid GUID"; wording is the emulator's). */
export function invalidRoleAssignmentId(name: string): ArmFailure {
  return new ArmFailure(
    400,
    "InvalidRoleAssignmentId",
    `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
  );
}

/** 400 for a role assignment body without a required property, or with a value of the wrong shape. */
export function invalidRoleAssignmentRequest(message: string): ArmFailure {
  return new ArmFailure(400, "InvalidRequestContent", message);
}

/** 400 for a `$filter` Microsoft.Authorization does not accept (wording is the emulator's). */
export function roleFilterNotSupported(filter: string): ArmFailure {
  return new ArmFailure(
    400,
    "UnsupportedQuery",
    `The filter '${filter}' is not supported. Supported: atScope(), principalId eq '{id}', assignedTo('{id}'), atScope() and assignedTo('{id}') on role assignments; roleName eq '{name}' and type eq '{type}' on role definitions.`,
  );
}

/** 404 for a role assignment that does not exist (Azure's code and wording). */
export function roleAssignmentNotFound(name: string): ArmFailure {
  return new ArmFailure(404, "RoleAssignmentNotFound", `The role assignment '${name}' is not found.`);
}
