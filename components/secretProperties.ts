/**
 * The secret parts of a scale set body, kept apart from the rest so that Pulumi can encrypt them in state.
 *
 * `virtualMachineProfile.osProfile.adminPassword`, `virtualMachineProfile.osProfile.customData` and each extension's
 * `properties.protectedSettings` travel in one separate input, `secretProperties`, which is a Pulumi secret; they
 * are merged back into the request body only inside the provider process, right before the request. Plain data in,
 * plain data out: no Pulumi, no I/O (the provider runtime loads this module).
 */

/** The secret values of a scale set. */
export interface SecretProperties {
  /** `virtualMachineProfile.osProfile.adminPassword`. */
  adminPassword?: string;
  /** `virtualMachineProfile.osProfile.customData` (base64). */
  customData?: string;
  /** Each extension's `properties.protectedSettings`, keyed by extension name. */
  protectedSettings?: Record<string, unknown>;
}

/** Property paths (as users write them) of the values that are kept secret. */
export const SECRET_PATHS = {
  adminPassword: "virtualMachineProfile.osProfile.adminPassword",
  customData: "virtualMachineProfile.osProfile.customData",
  protectedSettings: "virtualMachineProfile.extensionProfile.extensions[].properties.protectedSettings",
} as const;

type Json = Record<string, unknown>;

/** Whether `value` is a plain JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Splits a plain (resolved) virtual machine profile into the profile without secrets and the secrets. Extensions
 * without a name keep their protected settings under `#<index>`, which `check` then reports.
 */
export function splitSecrets(profile: unknown): { profile: unknown; secrets: SecretProperties } {
  const secrets: SecretProperties = {};
  if (!isPlainObject(profile)) return { profile, secrets };
  const out: Json = { ...profile };
  if (isPlainObject(profile.osProfile)) {
    const osProfile: Json = { ...profile.osProfile };
    if ("adminPassword" in osProfile) {
      if (osProfile.adminPassword !== undefined) secrets.adminPassword = osProfile.adminPassword as string;
      delete osProfile.adminPassword;
    }
    if ("customData" in osProfile) {
      if (osProfile.customData !== undefined) secrets.customData = osProfile.customData as string;
      delete osProfile.customData;
    }
    out.osProfile = osProfile;
  }
  const extensionProfile = profile.extensionProfile;
  if (isPlainObject(extensionProfile) && Array.isArray(extensionProfile.extensions)) {
    out.extensionProfile = {
      ...extensionProfile,
      extensions: extensionProfile.extensions.map((extension, index) => {
        if (!isPlainObject(extension) || !isPlainObject(extension.properties)) return extension;
        if (!("protectedSettings" in extension.properties)) return extension;
        const { protectedSettings, ...properties } = extension.properties;
        if (protectedSettings !== undefined) {
          const key = typeof extension.name === "string" ? extension.name : `#${index}`;
          (secrets.protectedSettings ??= {})[key] = protectedSettings;
        }
        return { ...extension, properties };
      }),
    };
  }
  return { profile: out, secrets };
}

/**
 * The profile with the secrets put back where ARM expects them: the request body's `virtualMachineProfile`.
 * Extensions get their protected settings by name. Does not modify its arguments.
 */
export function mergeSecrets(profile: unknown, secrets: SecretProperties | undefined): unknown {
  if (!isPlainObject(profile) || secrets === undefined) return profile;
  const out: Json = { ...profile };
  if (secrets.adminPassword !== undefined || secrets.customData !== undefined) {
    const osProfile: Json = isPlainObject(profile.osProfile) ? { ...profile.osProfile } : {};
    if (secrets.adminPassword !== undefined) osProfile.adminPassword = secrets.adminPassword;
    if (secrets.customData !== undefined) osProfile.customData = secrets.customData;
    out.osProfile = osProfile;
  }
  const protectedSettings = secrets.protectedSettings ?? {};
  const extensionProfile = profile.extensionProfile;
  if (
    Object.keys(protectedSettings).length > 0 &&
    isPlainObject(extensionProfile) &&
    Array.isArray(extensionProfile.extensions)
  ) {
    out.extensionProfile = {
      ...extensionProfile,
      extensions: extensionProfile.extensions.map((extension) => {
        if (!isPlainObject(extension) || typeof extension.name !== "string") return extension;
        if (!Object.prototype.hasOwnProperty.call(protectedSettings, extension.name)) return extension;
        const properties = isPlainObject(extension.properties) ? extension.properties : {};
        return { ...extension, properties: { ...properties, protectedSettings: protectedSettings[extension.name] } };
      }),
    };
  }
  return out;
}

/** Reads `secretProperties` from provider inputs: absent or malformed → no secrets (check reports the latter). */
export function secretPropertiesOf(props: Record<string, unknown>): SecretProperties {
  return isPlainObject(props.secretProperties) ? (props.secretProperties as SecretProperties) : {};
}

const REDACTED = "[secret]";
/** Shorter strings are not redacted: they would blank out ordinary words of a message, and reveal little. */
const MIN_REDACTED_LENGTH = 4;

/**
 * Replaces every secret value in `text` with `[secret]`: the strings of `secrets` and of `others` (e.g. a client
 * secret), and their JSON-escaped spelling, however deep in the protected settings. Used on error messages, because
 * ARM may echo parts of a request body in its error messages.
 */
export function redactSecrets(text: string, secrets: SecretProperties, others: readonly unknown[] = []): string {
  const needles = new Set<string>();
  const collect = (value: unknown): void => {
    if (typeof value === "string") {
      if (value.length >= MIN_REDACTED_LENGTH) {
        needles.add(value);
        // ARM may echo the body as JSON text, where quotes and backslashes of a secret appear escaped.
        needles.add(JSON.stringify(value).slice(1, -1));
      }
    } else if (Array.isArray(value)) {
      value.forEach(collect);
    } else if (isPlainObject(value)) {
      Object.values(value).forEach(collect);
    }
  };
  collect(secrets.adminPassword);
  collect(secrets.customData);
  collect(secrets.protectedSettings);
  others.forEach(collect);
  // Longest first, so a secret that contains another is replaced whole.
  let out = text;
  for (const needle of [...needles].sort((a, b) => b.length - a.length)) out = out.split(needle).join(REDACTED);
  return out;
}
