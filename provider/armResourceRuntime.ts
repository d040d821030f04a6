/**
 * The implementation behind {@link ArmResource}: PUT, follow the operation, GET; DELETE, follow the operation.
 * Loaded by package name in the provider process, like provider/runtime.ts. `check` and `diff` are pure; IDs,
 * api-versions, clouds and endpoints go through the grammars of provider/grammar, as for `VmssManagedIdentity`.
 */
import type { ArmClient } from "./arm/client";
import { isResourceGone } from "./arm/errors";
import { sharedClientFor } from "./sharedClients";
import { jsonEqual } from "./jsonEqual";
import {
  ARM_RESOURCE_ID_SHAPE,
  UNKNOWN,
  apiVersionShapeProblem,
  checkCredentialsInput,
  checkTargetSettings,
  describeValue,
  parseArmResourceId,
  sameTargetValue,
  unservedApiVersionProblem,
  type CheckFailure,
} from "./identity";

/** The inputs of an `ArmResource` after `check`. */
export interface ArmResourceInputs {
  /** Subscription-scoped ARM ID, canonical spelling (provider/grammar/armId.ts). */
  resourceId: string;
  /** api-version of the resource type. */
  apiVersion: string;
  /** The PUT body. */
  body: Record<string, unknown>;
  /** Canonical cloud name (`public`, `usgovernment`, `china`). */
  environment?: string;
  /** Canonical ARM endpoint. */
  endpoint?: string;
  /** Explicit credential settings (provider/grammar/settings.ts); a Pulumi secret in state. */
  credentials?: Record<string, unknown>;
}

/** What an `ArmResource` records in state: its inputs and ARM's answer to a GET after the PUT. */
export interface ArmResourceOutputs extends ArmResourceInputs {
  /** ARM's answer to a GET of the resource after the PUT finished. */
  resource: Record<string, unknown>;
}

/**
 * Validates `resourceId` (any subscription-scoped ARM ID), `apiVersion` (the api-version shape; for the resource
 * types the package knows, a version the type serves, else the nearest served ones are named), `body` (a JSON
 * object), `environment` (any cloud name or alias the transport knows) and `endpoint`; unknown values (preview)
 * pass. Pure.
 */
export function checkArmResource(news: Readonly<Record<string, unknown>>): {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
} {
  const failures: CheckFailure[] = [];
  const inputs: Record<string, unknown> = { ...news };
  const { resourceId, apiVersion, body, environment, endpoint } = news;
  let resourceType: string | undefined;
  if (resourceId !== UNKNOWN) {
    try {
      const ref = parseArmResourceId(resourceId as string);
      inputs.resourceId = ref.id;
      resourceType = ref.resourceType;
    } catch (e) {
      const reason =
        typeof resourceId === "string"
          ? (e as Error).message
          : `expected an ARM resource ID, ${ARM_RESOURCE_ID_SHAPE}, got ${describeValue(resourceId)}`;
      failures.push({ property: "resourceId", reason });
    }
  }
  if (apiVersion !== UNKNOWN) {
    const problem =
      typeof apiVersion === "string"
        ? (apiVersionShapeProblem(apiVersion) ??
          (resourceType === undefined ? undefined : unservedApiVersionProblem(resourceType, apiVersion)))
        : "expected an api-version like 2024-11-01 or 2022-01-31-preview";
    if (problem !== undefined) {
      failures.push({ property: "apiVersion", reason: `invalid api-version ${describeValue(apiVersion)}: ${problem}` });
    }
  }
  if (body !== UNKNOWN && (typeof body !== "object" || body === null || Array.isArray(body))) {
    failures.push({ property: "body", reason: `expected a JSON object, got ${describeValue(body)}` });
  }
  failures.push(...checkCredentialsInput(news.credentials, UNKNOWN));
  // environment and endpoint: one grammar for every door (provider/grammar/settings.ts).
  const target = checkTargetSettings({ environment, endpoint }, UNKNOWN);
  failures.push(...target.failures);
  if (target.settings.environment !== undefined) inputs.environment = target.settings.environment;
  if (target.settings.endpoint !== undefined) inputs.endpoint = target.settings.endpoint;
  return { inputs, failures };
}

/**
 * A new PUT when the body, api-version, environment or endpoint changes; a new resource when the ID changes
 * (case-insensitive). A changed endpoint is an update, as for VmssManagedIdentity: a replacement would try to delete
 * through the old endpoint, which may be gone (the emulator's port changes on every start).
 */
export function diffArmResource(
  olds: Readonly<Partial<ArmResourceOutputs>>,
  news: Readonly<Partial<ArmResourceInputs>>,
): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const replaces: string[] = [];
  if (String(olds.resourceId).toLowerCase() !== String(news.resourceId).toLowerCase()) replaces.push("resourceId");
  const changes =
    replaces.length > 0 ||
    olds.apiVersion !== news.apiVersion ||
    olds.environment !== news.environment ||
    !sameTargetValue("endpoint", olds.endpoint, news.endpoint) ||
    !jsonEqual(olds.credentials ?? undefined, news.credentials ?? undefined) ||
    !jsonEqual(olds.body, news.body);
  return { changes, replaces, deleteBeforeReplace: false };
}

/** PUT, follow the operation, GET. Also used for updates: a PUT is idempotent and carries the whole body. */
export async function createArmResource(
  inputs: Readonly<ArmResourceInputs>,
  client?: ArmClient,
): Promise<{ id: string; outs: ArmResourceOutputs }> {
  const arm = client ?? sharedClientFor(inputs);
  const done = await arm.execute<Record<string, unknown>>({
    method: "PUT",
    path: inputs.resourceId,
    apiVersion: inputs.apiVersion,
    body: inputs.body,
  });
  const id = typeof done.body.id === "string" ? done.body.id : inputs.resourceId;
  return { id, outs: { ...inputs, resource: done.body } };
}

/** GET; `undefined` when the resource is gone. */
export async function readArmResource(
  props: Readonly<ArmResourceOutputs>,
  client?: ArmClient,
): Promise<ArmResourceOutputs | undefined> {
  const arm = client ?? sharedClientFor(props);
  try {
    const got = await arm.request<Record<string, unknown>>({
      method: "GET",
      path: props.resourceId,
      apiVersion: props.apiVersion,
    });
    return { ...props, resource: got.body };
  } catch (e) {
    if (isResourceGone(e)) return undefined;
    throw e;
  }
}

/** DELETE and follow the operation; a resource already gone is not an error. */
export async function deleteArmResource(props: Readonly<ArmResourceInputs>, client?: ArmClient): Promise<void> {
  const arm = client ?? sharedClientFor(props);
  try {
    await arm.execute({ method: "DELETE", path: props.resourceId, apiVersion: props.apiVersion });
  } catch (e) {
    if (isResourceGone(e)) return;
    throw e;
  }
}
