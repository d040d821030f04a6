/**
 * How error messages show a bad input: JSON-quoted so whitespace and odd characters are visible, and cut to
 * 200 characters so a huge input cannot flood a log.
 */

const MAX_SHOWN = 200;

/** JSON-quotes a string for an error message, cut to 200 characters. */
export function quote(value: string): string {
  return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value);
}

/** Describes any value for an error message: strings quoted, other JSON values as written, else their kind. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return quote(value);
  if (value === null || typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
