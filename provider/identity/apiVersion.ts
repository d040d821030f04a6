/**
 * Compute api-versions as far as identities care: which ones support identities at all, and which body
 * format each uses (../shared/ARM-BEHAVIOR.md "Shapes by api-version"; ../shared/research/arm-facts.md §1.2).
 */
import { quote } from "./describeValue";

/** The Compute api-version the provider uses when none is given. */
export const DEFAULT_API_VERSION = "2024-11-01";

/** The first Compute api-version with user-assigned identities (`identityIds`). */
export const FIRST_IDENTITY_API_VERSION = "2017-12-01";

/** The first Compute api-version with the `userAssignedIdentities` dictionary (arm-facts.md §1.2). */
export const FIRST_DICTIONARY_API_VERSION = "2018-06-01";

/** How a request body carries user-assigned identities. */
export type BodyFormat = "dictionary" | "identityIds";

/** A parsed api-version. */
export interface ApiVersion {
  /** `YYYY-MM-DD`. */
  date: string;
  /** Whether it ends in `-preview`. */
  preview: boolean;
}

/** What {@link parseApiVersion} expects (named in error messages). */
export const API_VERSION_EXPECTED = `a Compute api-version YYYY-MM-DD or YYYY-MM-DD-preview, ${FIRST_IDENTITY_API_VERSION} or later`;

/** An api-version that is malformed or older than identity support. Recognise it by `name`. */
export class InvalidApiVersionError extends Error {
  override readonly name = "InvalidApiVersionError";
  /** The rejected input. */
  readonly value: string;

  constructor(value: string, reason: string) {
    super(`invalid api-version ${quote(value)}: ${reason}; expected ${API_VERSION_EXPECTED}`);
    this.value = value;
  }
}

const API_VERSION = /^(\d{4})-(\d{2})-(\d{2})(-preview)?$/;

/**
 * Parses a Compute api-version and checks that it supports user-assigned identities (>= 2017-12-01).
 * @throws InvalidApiVersionError naming the value and the expected format.
 */
export function parseApiVersion(value: string): ApiVersion {
  const match = typeof value === "string" ? API_VERSION.exec(value) : null;
  if (match === null) throw new InvalidApiVersionError(String(value), "not in the form YYYY-MM-DD[-preview]");
  const [, year, month, day, preview] = match as unknown as [string, string, string, string, string | undefined];
  const date = `${year}-${month}-${day}`;
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
    throw new InvalidApiVersionError(value, `${date} is not a calendar date`);
  }
  if (date < FIRST_IDENTITY_API_VERSION) {
    throw new InvalidApiVersionError(value, "it predates user-assigned identities on scale sets");
  }
  return { date, preview: preview !== undefined };
}

/**
 * The body format of an api-version: `identityIds` (a whole array, replaced on PATCH) before 2018-06-01, i.e.
 * 2017-12-01 and 2018-04-01; the `userAssignedIdentities` dictionary (merge-patched) from 2018-06-01 on.
 * @throws InvalidApiVersionError for a malformed version or one without identity support.
 */
export function bodyFormatFor(apiVersion: string): BodyFormat {
  return parseApiVersion(apiVersion).date < FIRST_DICTIONARY_API_VERSION ? "identityIds" : "dictionary";
}
