/**
 * The implementation behind the `ScaleSet` dynamic provider (components/scaleSet.ts), loaded by package name in the
 * provider process (`pulumi-vmss-identity/components/runtime`), like provider/runtime.ts for `VmssManagedIdentity`.
 *
 * - `check`, `diff`: pure (scaleSetCheck.ts, scaleSetDiff.ts); a preview makes no ARM call.
 * - `create`: a GET that must find nothing (a dynamic resource cannot be imported, so an existing scale set is never
 *   silently taken over), then exactly one PUT with the how-to's full body (scaleSetBody.ts), its operation followed
 *   to the end, and the final GET as the result.
 * - `update`: one PATCH of what changed, without `identity`; followed to the end.
 * - `remove`: DELETE, followed to the end; a scale set already gone is not an error.
 * - `read`: GET; reports drift of what the user declared (sku incl. capacity, tags, overprovision, upgradePolicy).
 *
 * Secrets (`secretProperties`) are merged into bodies here and nowhere else, and every error message is redacted
 * of them, because ARM may quote a request body in its error messages (and of `credentials`' secret settings).
 * `credentials` picks the principal (provider/sharedClients.ts) and stays in the state, so that refresh and delete
 * sign in as the one that created the scale set.
 */
import type { ArmClient } from "../provider/arm/client";
import { isArmError, isResourceGone } from "../provider/arm/errors";
import { sharedClientFor } from "../provider/sharedClients";
import { DEFAULT_API_VERSION, PROVIDER_KEY, bodyFormatFor, parseScaleSetId } from "../provider/identity";
import type { ScaleSetRef } from "../provider/identity";
import { operationError } from "../provider/operationError";
import { ErrorCodes, VmssIdentityError } from "../provider/errors";
import { withScaleSetWriteLock } from "../provider/scaleSetLock";
import { SECRET_CREDENTIAL_SETTINGS } from "../provider/grammar/settings";
import { checkScaleSetInputs } from "./scaleSetCheck";
import { type ScaleSetInputs, createBody, updateBody } from "./scaleSetBody";
import { diffScaleSet } from "./scaleSetDiff";
import { type SecretProperties, isPlainObject, redactSecrets, secretPropertiesOf } from "./secretProperties";

type Props = Record<string, unknown>;

/** What an error message must never show: the scale set's secret properties and the credentials' secret settings. */
interface Secrets {
  properties: SecretProperties;
  credentials: unknown[];
}

function secretsOf(props: Props): Secrets {
  const credentials = isPlainObject(props.credentials) ? props.credentials : {};
  return {
    properties: secretPropertiesOf(props),
    credentials: SECRET_CREDENTIAL_SETTINGS.map((name) => credentials[name]),
  };
}

/** What the I/O operations need; tests inject a client, the provider process uses the shared one per endpoint. */
export interface RuntimeContext {
  client?: ArmClient;
}

/** What a `ScaleSet` records in state: its inputs, plus what ARM computed. */
export interface ScaleSetOutputs extends ScaleSetInputs {
  /** `properties.provisioningState` at the end of the last operation, e.g. `Succeeded`. */
  provisioningState?: string;
  /** `properties.uniqueId`: ARM's GUID for this scale set, new for every scale set of the same name. */
  uniqueId?: string;
}

/** The parts of a scale set body this runtime reads. */
interface ScaleSetBody {
  sku?: unknown;
  tags?: unknown;
  properties?: { provisioningState?: string; uniqueId?: string; overprovision?: unknown; upgradePolicy?: unknown };
}

/** Validates and canonicalises the inputs. Pure. */
export function check(_olds: Props, news: Props): ReturnType<typeof checkScaleSetInputs> {
  return checkScaleSetInputs(news);
}

/** In place or replacement (see scaleSetDiff.ts). Pure. */
export function diff(olds: Props, news: Props): ReturnType<typeof diffScaleSet> {
  return diffScaleSet(olds, news);
}

/** Creates the scale set with one PUT and follows its operation. */
export async function create(inputs: Props, ctx: RuntimeContext = {}): Promise<{ id: string; outs: ScaleSetOutputs }> {
  const secrets = secretsOf(inputs);
  const { ref, client, apiVersion } = target(inputs, ctx);
  const body = createBody(inputs as unknown as ScaleSetInputs, bodyFormatFor(apiVersion));

  return withScaleSetWriteLock(ref.id, async () => {
    await ensureAbsent(client, ref.id, apiVersion, secrets);
    try {
      const done = await client.execute<ScaleSetBody>({ method: "PUT", path: ref.id, apiVersion, body });
      return { id: ref.id, outs: outputsOf(inputs, done.body) };
    } catch (e) {
      throw await createFailure(client, ref, apiVersion, inputs, e, secrets);
    }
  });
}

/** Reads the scale set: `undefined` when it is gone, else the state with the declared values as ARM reports them. */
export async function read(props: Props, ctx: RuntimeContext = {}): Promise<ScaleSetOutputs | undefined> {
  const { ref, client, apiVersion } = target(props, ctx);
  let body: ScaleSetBody;
  try {
    body = (await client.request<ScaleSetBody>({ method: "GET", path: ref.id, apiVersion })).body;
  } catch (e) {
    if (isResourceGone(e)) return undefined;
    throw failure("reading", ref.id, e, secretsOf(props));
  }
  const outs = outputsOf(props, body);
  // Drift, limited to what the user declared: ARM fills in defaults (a tier, upgrade policy details) that were
  // never declared, and reporting those would make every refresh a change.
  outs.sku = (project(body.sku, props.sku) ?? {}) as ScaleSetInputs["sku"];
  if (props.tags !== undefined) outs.tags = (isPlainObject(body.tags) ? body.tags : {}) as Record<string, string>;
  if (props.overprovision !== undefined) outs.overprovision = body.properties?.overprovision as boolean | undefined;
  if (props.upgradePolicy !== undefined) {
    outs.upgradePolicy = project(
      body.properties?.upgradePolicy,
      props.upgradePolicy,
    ) as ScaleSetInputs["upgradePolicy"];
  }
  return dropUndefined(outs);
}

/** PATCHes what changed (never the identity) and follows the operation. */
export async function update(olds: Props, news: Props, ctx: RuntimeContext = {}): Promise<{ outs: ScaleSetOutputs }> {
  const secrets = secretsOf(news);
  const { ref, client, apiVersion } = target(news, ctx);
  const body = updateBody(olds as unknown as ScaleSetInputs, news as unknown as ScaleSetInputs);
  try {
    // Nothing for ARM to store (only the endpoint or cloud changed): confirm the scale set is there.
    // The PATCH takes the scale set's write lock, as VmssManagedIdentity's identity PATCH does: the two never overlap.
    const done =
      body === undefined
        ? await client.request<ScaleSetBody>({ method: "GET", path: ref.id, apiVersion })
        : await withScaleSetWriteLock(ref.id, () =>
            // The body is a JSON merge patch of values in full (scaleSetBody.ts), never an increment: applied
            // twice it leaves the state of once (RFC 7396), so a PATCH whose answer was lost may be sent again.
            client.execute<ScaleSetBody>({ method: "PATCH", path: ref.id, apiVersion, body, idempotent: true }),
          );
    return { outs: outputsOf(news, done.body) };
  } catch (e) {
    throw failure("updating", ref.id, e, secrets);
  }
}

/** Deletes the scale set and waits for the deletion to finish. A scale set already gone is not an error. */
export async function remove(props: Props, ctx: RuntimeContext = {}): Promise<void> {
  const { ref, client, apiVersion } = target(props, ctx);
  try {
    await withScaleSetWriteLock(ref.id, () => client.execute({ method: "DELETE", path: ref.id, apiVersion }));
  } catch (e) {
    if (isResourceGone(e)) return;
    throw failure("deleting", ref.id, e, secretsOf(props));
  }
}

/** The scale set ID and the client for its endpoint. */
function target(props: Props, ctx: RuntimeContext): { ref: ScaleSetRef; client: ArmClient; apiVersion: string } {
  const ref = parseScaleSetId(
    `/subscriptions/${String(props.subscriptionId)}/resourceGroups/${String(props.resourceGroupName)}` +
      `/providers/Microsoft.Compute/virtualMachineScaleSets/${String(props.scaleSetName)}`,
  );
  const apiVersion = typeof props.apiVersion === "string" ? props.apiVersion : DEFAULT_API_VERSION;
  const client = ctx.client ?? sharedClientFor(props);
  return { ref, client, apiVersion };
}

/** A dynamic resource cannot be imported (docs/arm-behavior.md, "Pulumi facts"): refuse to PUT over a scale set. */
async function ensureAbsent(client: ArmClient, id: string, apiVersion: string, secrets: Secrets) {
  try {
    await client.request({ method: "GET", path: id, apiVersion });
  } catch (e) {
    if (isResourceGone(e)) return;
    throw failure("checking (before creating)", id, e, secrets);
  }
  throw new VmssIdentityError(
    `creating ${id} failed: a scale set with this ID already exists. ScaleSetWithIdentity creates its scale set and ` +
      `does not take over an existing one (a PUT would replace its configuration and identities); choose another ` +
      `scaleSetName, or delete the existing scale set first`,
    { code: ErrorCodes.scaleSetExists, operation: "creating", resourceId: id },
  );
}

/**
 * The error of a failed creation. A PUT that ARM refused (4xx) created nothing. Otherwise (the operation failed, a
 * network error, a timeout) the scale set may exist: if a GET finds it, the error carries its `id` and state, which
 * Pulumi records as a resource that failed to initialise, so that the next `up` updates it and `destroy` deletes
 * it, instead of leaking it. (The GET before the PUT found nothing, so what exists now is ours.)
 */
async function createFailure(
  client: ArmClient,
  ref: ScaleSetRef,
  apiVersion: string,
  inputs: Props,
  cause: unknown,
  secrets: Secrets,
): Promise<Error> {
  const error = failure("creating", ref.id, cause, secrets);
  const status = isArmError(cause) ? cause.statusCode : undefined;
  if (status !== undefined && status >= 400 && status < 500) return error;
  let body: ScaleSetBody;
  try {
    body = (await client.request<ScaleSetBody>({ method: "GET", path: ref.id, apiVersion })).body;
  } catch {
    return error;
  }
  // `credentials` stays: destroy must sign in as the same principal. The engine marks it secret as it does a
  // successful creation's outputs (additionalSecretOutputs apply to a partial failure's state too).
  const { secretProperties: _secrets, ...rest } = inputs;
  return Object.assign(error, { id: ref.id, properties: outputsOf(rest, body), reasons: [error.message] });
}

/**
 * Wraps a failure with the operation and the scale set, redacted of every secret value. No `cause`: ARM may quote the
 * request body, secrets included, in the cause's message.
 */
function failure(operation: string, id: string, cause: unknown, secrets: Secrets): VmssIdentityError {
  const wrapped = operationError(operation, id, cause);
  return new VmssIdentityError(redactSecrets(wrapped.message, secrets.properties, secrets.credentials), {
    code: wrapped.code,
    statusCode: wrapped.statusCode,
    requestId: wrapped.requestId,
    operation,
    resourceId: id,
  });
}

/** The state record: the inputs as declared, plus what ARM computed. */
function outputsOf(props: Props, body: ScaleSetBody | undefined): ScaleSetOutputs {
  const { [PROVIDER_KEY]: _provider, ...inputs } = props;
  return dropUndefined({
    ...(inputs as unknown as ScaleSetInputs),
    provisioningState: body?.properties?.provisioningState,
    uniqueId: body?.properties?.uniqueId,
  });
}

/** `value` limited to the keys of `declared`, recursively in objects. */
function project(value: unknown, declared: unknown): unknown {
  if (!isPlainObject(declared) || !isPlainObject(value)) return value;
  const out: Props = {};
  for (const [key, template] of Object.entries(declared)) {
    const projected = project(value[key], template);
    if (projected !== undefined) out[key] = projected;
  }
  return out;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
