// The request and reply shapes the handlers work with, independent of node:http.
import type { IncomingHttpHeaders } from "node:http";
import { invalidRequestContent } from "./arm-errors";
import { isPlainObject, property } from "./identity";
import { checkTags } from "./naming-rules";

/** An authenticated ARM request. */
export interface ArmCall {
  method: string;
  /** Path as sent, without query string. */
  path: string;
  /** Non-empty path segments, percent-decoded. */
  segments: string[];
  query: URLSearchParams;
  apiVersion: string | undefined;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** scheme://host[:port] the client used, for the absolute URLs the emulator returns. */
  baseUrl: string;
  /** ms since the epoch, fixed for the whole request. */
  now: number;
  /** Application (client) ID of the bearer token. */
  clientId: string | undefined;
  /** Object ID of the caller's service principal. */
  objectId: string | undefined;
}

/** What a handler answers. */
export interface Reply {
  status: number;
  /** JSON body; none when undefined. */
  body?: unknown;
  headers?: Record<string, string>;
  /** x-ms-request-id to send (e.g. the operation ID for a write that starts one); random otherwise. */
  requestId?: string;
}

/** Parses the body as a JSON object. @throws ArmFailure InvalidRequestContent. */
export function readJsonObject(call: ArmCall): Record<string, unknown> {
  const text = call.body.toString("utf8");
  if (text.trim() === "") throw invalidRequestContent("The request body is empty; a JSON object is expected");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidRequestContent(`${(error as Error).message}. Path '', line 1`);
  }
  if (!isPlainObject(value)) {
    throw invalidRequestContent(`Error converting value ${JSON.stringify(value)}: a JSON object is expected. Path ''`);
  }
  return value;
}

/** Lower-case, no spaces: how ARM returns locations ("East US" becomes "eastus"). */
export function normalizeLocation(location: string): string {
  return location.toLowerCase().replace(/\s+/g, "");
}

/** ISO time as Compute prints it in operation resources: 7 fractional digits and "+00:00" (the Azure CLI's recordings: docs/arm-behavior.md). */
export function computeTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000+00:00");
}

/** The `tags` of a body: undefined when absent or null. @throws ArmFailure InvalidRequestContent for a non-object. */
export function readTags(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const tags = property(body, "tags");
  if (tags === undefined || tags === null) return undefined;
  if (!isPlainObject(tags)) {
    throw invalidRequestContent(
      `Error converting value ${JSON.stringify(tags)} to type 'IDictionary<string, string>'. Path 'tags'`,
    );
  }
  return checkTags(tags);
}
