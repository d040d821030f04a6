// The one Microsoft Graph call the Azure CLI's role commands make about principals: POST
// /v1.0/directoryObjects/getByIds (https://learn.microsoft.com/graph/api/directoryobject-getbyids), answered for the
// principals the emulator knows (principals.ts). `az role assignment list` asks it for principal names and
// `az role assignment create --assignee-object-id` without --assignee-principal-type for the principal's kind. The
// CLI reaches it when the cloud's Microsoft Graph endpoint is the emulator (docs/emulator.md, "Azure CLI"). Any other
// Graph path answers Graph's 404.
import type { EmulatorCore } from "./core";
import { isPlainObject } from "./identity";
import { findPrincipal } from "./principals";

/** A Graph answer. */
export interface GraphReply {
  status: number;
  body: unknown;
}

function graphError(status: number, code: string, message: string): GraphReply {
  return { status, body: { error: { code, message } } };
}

/** Serves `method path` under /v1.0 for an authenticated caller; `body` is the raw request body. */
export function serveGraph(core: EmulatorCore, method: string, path: string, body: Buffer): GraphReply {
  const route = path.replace(/\/+$/, "").toLowerCase();
  if (route !== "/v1.0/directoryobjects/getbyids") {
    return graphError(
      404,
      "Request_ResourceNotFound",
      `The ARM emulator serves only POST /v1.0/directoryObjects/getByIds of Microsoft Graph, not '${method} ${path}'.`,
    );
  }
  if (method !== "POST") return graphError(405, "Request_BadRequest", `'${method}' is not supported here; use POST.`);
  let input: unknown;
  try {
    input = JSON.parse(body.toString("utf8"));
  } catch {
    return graphError(400, "Request_BadRequest", "The request body must be JSON: { ids: [...], types: [...] }.");
  }
  const ids = isPlainObject(input) ? input.ids : undefined;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) {
    return graphError(400, "Request_BadRequest", "The property 'ids' must be an array of object IDs.");
  }
  const types = isPlainObject(input) && Array.isArray(input.types) ? input.types.map(String) : undefined;
  if (types !== undefined && !types.some((type) => type.toLowerCase() === "serviceprincipal")) {
    return { status: 200, body: { "@odata.context": CONTEXT, value: [] } };
  }
  const value = [];
  for (const id of ids as string[]) {
    const principal = findPrincipal(core, id);
    if (principal === undefined) continue;
    value.push({
      "@odata.type": "#microsoft.graph.servicePrincipal",
      id: principal.principalId,
      displayName: principal.displayName,
      servicePrincipalType: principal.servicePrincipalType,
      ...(principal.appId === undefined ? {} : { appId: principal.appId, servicePrincipalNames: [principal.appId] }),
    });
  }
  return { status: 200, body: { "@odata.context": CONTEXT, value } };
}

const CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#directoryObjects";
