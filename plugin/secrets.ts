/**
 * Secret values on the wire. A provider that constructs components must accept secrets (the engine refuses
 * otherwise), so the engine sends secret values wrapped as `{ <sig>: <secret sig>, value }` (pulumi/pulumi
 * sdk/go/common/resource/plugin/rpc.go) and stores outputs exactly as returned: an output left unwrapped would be
 * written to the state in plain text. So the plugin unwraps before the runtime sees a value (the runtime works on
 * plain JSON, as in the dynamic provider) and wraps again, by top-level property, what was secret: the same rule the
 * engine applies for providers that do not accept secrets (and that the dynamic provider host applies).
 */

/** The signature key of Pulumi's special values, and the signature of a secret. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

type Props = Record<string, unknown>;

function isSecret(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Props)[SIG_KEY] === SECRET_SIG;
}

/** A value with every secret wrapper removed, at any depth, and whether there was one. */
function unwrap(value: unknown): { value: unknown; secret: boolean } {
  if (isSecret(value)) return { value: unwrap(value.value).value, secret: true };
  if (Array.isArray(value)) {
    const items = value.map(unwrap);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (typeof value === "object" && value !== null) {
    let secret = false;
    const out: Props = {};
    for (const [k, v] of Object.entries(value)) {
      const item = unwrap(v);
      out[k] = item.value;
      secret ||= item.secret;
    }
    return { value: out, secret };
  }
  return { value, secret: false };
}

/** Plain properties, and the top-level keys that held a secret anywhere inside. */
export function unwrapSecrets(props: Props): { plain: Props; secretKeys: Set<string> } {
  const plain: Props = {};
  const secretKeys = new Set<string>();
  for (const [key, value] of Object.entries(props)) {
    const item = unwrap(value);
    plain[key] = item.value;
    if (item.secret) secretKeys.add(key);
  }
  return { plain, secretKeys };
}

/** `props` with each of `keys` that it has wrapped as a secret. */
export function wrapSecrets(props: object, keys: Iterable<string>): Props {
  const out: Props = { ...props };
  for (const key of keys) {
    if (out[key] !== undefined) out[key] = { [SIG_KEY]: SECRET_SIG, value: out[key] };
  }
  return out;
}
