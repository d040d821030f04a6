/**
 * The implementation behind {@link ArmResource}: PUT, follow the operation, GET; DELETE, follow the operation.
 * Loaded by package name in the provider process, like provider/runtime.ts.
 */
import { ArmClient, isArmError, sharedClientFor } from "./arm";
import type { CheckFailure } from "./identity";

type Props = Record<string, unknown>;

// Subscription-scoped ARM IDs only, segment by segment; no query, fragment, dot segments or encoded characters, so an
// input cannot steer the request to another path.
const ARM_RESOURCE_ID = /^\/subscriptions\/[0-9a-fA-F-]{36}(\/[A-Za-z0-9_()-][A-Za-z0-9_.()-]*)+$/;
const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Validates `resourceId`, `apiVersion` and `body`; unknown values (preview) pass. Pure. */
export function checkArmResource(news: Props): { inputs: Props; failures: CheckFailure[] } {
  const failures: CheckFailure[] = [];
  const { resourceId, apiVersion, body } = news;
  if (resourceId !== UNKNOWN && (typeof resourceId !== "string" || !ARM_RESOURCE_ID.test(resourceId))) {
    failures.push({
      property: "resourceId",
      reason: `resourceId ${JSON.stringify(resourceId)} is not an ARM resource ID; expected /subscriptions/<GUID>/resourceGroups/<name>[/providers/<namespace>/<type>/<name>]`,
    });
  }
  if (apiVersion !== UNKNOWN && (typeof apiVersion !== "string" || !API_VERSION.test(apiVersion))) {
    failures.push({
      property: "apiVersion",
      reason: `apiVersion ${JSON.stringify(apiVersion)} is not an api-version; expected YYYY-MM-DD or YYYY-MM-DD-preview`,
    });
  }
  if (body !== UNKNOWN && (typeof body !== "object" || body === null || Array.isArray(body))) {
    failures.push({ property: "body", reason: `body must be a JSON object, got ${JSON.stringify(body)}` });
  }
  return { inputs: news, failures };
}

/** A new PUT when the body, api-version or endpoint changes; a new resource when the ID changes (case-insensitive). */
export function diffArmResource(
  olds: Props,
  news: Props,
): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const replaces: string[] = [];
  if (String(olds.resourceId).toLowerCase() !== String(news.resourceId).toLowerCase()) replaces.push("resourceId");
  for (const key of ["environment", "endpoint"]) if (olds[key] !== news[key]) replaces.push(key);
  const changes =
    replaces.length > 0 || olds.apiVersion !== news.apiVersion || canonicalJson(olds.body) !== canonicalJson(news.body);
  return { changes, replaces, deleteBeforeReplace: false };
}

/** PUT, follow the operation, GET. Also used for updates: a PUT is idempotent and carries the whole body. */
export async function createArmResource(inputs: Props, client?: ArmClient): Promise<{ id: string; outs: Props }> {
  const arm = client ?? sharedClientFor(inputs);
  const done = await arm.execute<Record<string, unknown>>({
    method: "PUT",
    path: String(inputs.resourceId),
    apiVersion: String(inputs.apiVersion),
    body: inputs.body,
  });
  const id = typeof done.body.id === "string" ? done.body.id : String(inputs.resourceId);
  return { id, outs: { ...inputs, resource: done.body } };
}

/** GET; `undefined` when the resource is gone. */
export async function readArmResource(props: Props, client?: ArmClient): Promise<Props | undefined> {
  const arm = client ?? sharedClientFor(props);
  try {
    const got = await arm.request<Record<string, unknown>>({
      method: "GET",
      path: String(props.resourceId),
      apiVersion: String(props.apiVersion),
    });
    return { ...props, resource: got.body };
  } catch (e) {
    if (isArmError(e) && e.statusCode === 404) return undefined;
    throw e;
  }
}

/** DELETE and follow the operation; a resource already gone is not an error. */
export async function deleteArmResource(props: Props, client?: ArmClient): Promise<void> {
  const arm = client ?? sharedClientFor(props);
  try {
    await arm.execute({ method: "DELETE", path: String(props.resourceId), apiVersion: String(props.apiVersion) });
  } catch (e) {
    if (isArmError(e) && e.statusCode === 404) return;
    throw e;
  }
}

/** JSON with object keys sorted, so that key order is never a difference. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Props).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
