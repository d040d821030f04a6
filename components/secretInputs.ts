/**
 * Takes the secret values out of a virtual machine profile given as Pulumi inputs, in the program process.
 *
 * The walk follows the input structure without resolving it where it can: a password given as
 * `config.requireSecret(…)` inside a plain object literal is lifted out as it is, and the rest of the profile keeps
 * each value's own secretness (it does not become secret as a whole). Where an `Output` or a promise stands above a
 * secret value (say the whole `osProfile` comes from an `apply`), that part is resolved and split inside `apply`;
 * its remainder then stays secret if the `Output` was, which errs on the safe side.
 */
import * as pulumi from "@pulumi/pulumi";
import { type SecretProperties, isPlainObject, splitSecrets } from "./secretProperties";

/** Where secrets sit: `secret` is taken out, `both` (extension names) is kept on both sides to match them back. */
type Spec = "secret" | "both" | { readonly [key: string]: Spec } | readonly [Spec];

const PROFILE_SPEC: Spec = {
  osProfile: { adminPassword: "secret", customData: "secret" },
  extensionProfile: { extensions: [{ name: "both", properties: { protectedSettings: "secret" } }] },
};

/** A virtual machine profile split into its public part and its secrets. */
export interface SplitProfile {
  /** The profile without `adminPassword`, `customData` and extensions' `protectedSettings`; `undefined` if none. */
  profile: pulumi.Input<unknown> | undefined;
  /** The secrets, always a Pulumi secret (whether or not the inputs were marked secret). */
  secretProperties: pulumi.Output<SecretProperties>;
}

/** Splits a virtual machine profile (any nesting of Pulumi inputs) into its public part and its secrets. */
export function splitProfileSecrets(profile: pulumi.Input<unknown> | undefined): SplitProfile {
  const { pub, sec } = split(profile, PROFILE_SPEC);
  const secretProperties = resolve(sec).apply((tree) => splitSecrets(tree).secrets);
  return { profile: pub, secretProperties: pulumi.secret(secretProperties) };
}

interface Parts {
  pub: unknown;
  sec: unknown;
}

function split(value: unknown, spec: Spec): Parts {
  if (value === undefined || value === null) return { pub: value, sec: undefined };
  if (spec === "secret") return { pub: undefined, sec: value };
  if (spec === "both") return { pub: value, sec: value };
  if (pulumi.Output.isInstance(value) || isPromiseLike(value)) {
    // Unknown structure until resolved: split inside apply (the values are plain there).
    const resolved = resolve(value);
    return {
      pub: resolved.apply((v) => split(v, spec).pub),
      sec: resolved.apply((v) => split(v, spec).sec),
    };
  }
  if (isArraySpec(spec)) {
    if (!Array.isArray(value)) return { pub: value, sec: undefined };
    const parts = value.map((element) => split(element, spec[0]));
    return { pub: parts.map((p) => p.pub), sec: parts.map((p) => p.sec) };
  }
  if (!isPlainObject(value)) return { pub: value, sec: undefined };
  const pub: Record<string, unknown> = { ...value };
  const sec: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(spec)) {
    if (!(key in value)) continue;
    const part = split(value[key], sub);
    if (part.pub === undefined) delete pub[key];
    else pub[key] = part.pub;
    if (part.sec !== undefined) sec[key] = part.sec;
  }
  return { pub, sec };
}

/** `pulumi.output` (deep resolution) of a value whose type is not known statically. */
function resolve(value: unknown): pulumi.Output<unknown> {
  return pulumi.output(value as pulumi.Input<object>) as pulumi.Output<unknown>;
}

function isArraySpec(spec: Spec): spec is readonly [Spec] {
  return Array.isArray(spec);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
