/**
 * Pure validation of `ScaleSet` inputs, for the provider's `check`: one failure per bad property, naming the
 * property, the value (never a secret's) and what was expected, before any request. Unknown values (Pulumi's
 * preview sentinel) are never a failure. The identity, api-version and cloud inputs go through the identity
 * algebra's own validation, so that they mean exactly what they mean for `VmssManagedIdentity`.
 */
import {
  type CheckFailure,
  PROVIDER_KEY,
  UNKNOWN,
  RESOURCE_GROUP_NAME_RULE,
  SCALE_SET_NAME_RULE,
  describeValue,
  isSubscriptionId,
  parseScaleSetId,
  quote,
  validateDeclarationInputs,
} from "../provider/identity";
import { checkCredentialsInput } from "../provider/grammar/settings";
import { osFamilyOf, passwordProblem } from "./adminPassword";
import { SECRET_PATHS, isPlainObject } from "./secretProperties";

type Json = Record<string, unknown>;

/** The input properties of a `ScaleSet`. */
export const SCALE_SET_PROPERTIES = [
  "subscriptionId",
  "resourceGroupName",
  "scaleSetName",
  "location",
  "sku",
  "upgradePolicy",
  "overprovision",
  "virtualMachineProfile",
  "tags",
  "zones",
  "extraProperties",
  "systemAssigned",
  "userAssignedIdentities",
  "apiVersion",
  "environment",
  "endpoint",
  "credentials",
  "secretProperties",
] as const;

/**
 * Properties of ARM's `properties` object that have an argument of their own, or that ARM computes; refused in
 * `extraProperties`, where they would silently win over (or fight with) the dedicated argument.
 */
export const RESERVED_EXTRA_PROPERTIES = [
  "virtualMachineProfile",
  "upgradePolicy",
  "overprovision",
  "provisioningState",
  "uniqueId",
  "timeCreated",
] as const;

// Tag limits: at most 50 tags, names up to 512 characters without < > % & \ ? /, values up to 256 characters.
// Source: https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations
const MAX_TAGS = 50;
const MAX_TAG_NAME = 512;
const MAX_TAG_VALUE = 256;
const TAG_NAME_FORBIDDEN = /[<>%&\\?/]/;

// customData: base64 of at most 65 535 bytes (VirtualMachineScaleSetOSProfile.customData in the Compute spec).
const MAX_CUSTOM_DATA_BYTES = 65535;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// A placeholder that passes the ID grammar, so that one part of an ID can be checked at a time.
const VALID_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const UPGRADE_MODES = ["Automatic", "Manual", "Rolling"];
const SECRET_ELSEWHERE =
  "must not travel in virtualMachineProfile, where it would be stored in plain text: pass it in secretProperties " +
  "(a Pulumi secret); ScaleSetWithIdentity does this for you";

const FLATTENED_HINT =
  "@pulumi/azure-native flattens ARM's `properties` here; this body goes to ARM as written, so use ARM's JSON shape";

const SKU_EXPECTED = `{ name, tier?, capacity? }, e.g. { name: "Standard_D1_v2", capacity: 3 }`;

/**
 * Validates and canonicalises `ScaleSet` inputs (`null` counts as absent):
 * - `subscriptionId` (GUID, returned lower-case), `resourceGroupName`, `scaleSetName` (Azure's naming rules, as the
 *   ARM ID grammar of provider/identity checks them), `location`: required;
 * - `sku`: required, `name` required, `capacity` a whole number ≥ 0;
 * - `virtualMachineProfile`: required (unless `extraProperties.orchestrationMode` is `Flexible`), in ARM's JSON
 *   shape (`properties` wrappers in network and extension profiles); with an `osProfile`, `computerNamePrefix` and
 *   `adminUsername` are required; secrets must not be in it (they travel in `secretProperties`);
 * - `secretProperties`: `adminPassword` by Azure's rules (adminPassword.ts), `customData` base64 ≤ 65 535 bytes,
 *   `protectedSettings` keyed by names of declared extensions;
 * - `tags` within Azure's limits; `zones` strings; `extraProperties` an object without reserved keys;
 * - `systemAssigned`, `userAssignedIdentities` (canonical spelling), `apiVersion`, `environment`, `endpoint`,
 *   `credentials`: as for `VmssManagedIdentity`;
 * - any other property is a failure, except the dynamic provider's `__provider`.
 */
export function checkScaleSetInputs(news: Json): { inputs: Json; failures: CheckFailure[] } {
  const inputs: Json = {};
  for (const [key, value] of Object.entries(news)) if (value !== null && value !== undefined) inputs[key] = value;
  const failures: CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });

  for (const property of Object.keys(inputs)) {
    if (property !== PROVIDER_KEY && !(SCALE_SET_PROPERTIES as readonly string[]).includes(property)) {
      fail(property, `unknown property; expected one of ${SCALE_SET_PROPERTIES.join(", ")}`);
    }
  }

  const addressOk = checkAddress(inputs, fail);
  checkLocation(inputs.location, fail);
  checkSku(inputs.sku, fail);
  checkType(inputs, "overprovision", "boolean", "true or false", fail);
  checkUpgradePolicy(inputs.upgradePolicy, fail);
  checkExtraProperties(inputs.extraProperties, fail);
  checkProfile(inputs.virtualMachineProfile, inputs.extraProperties, fail);
  checkSecrets(inputs.secretProperties, inputs.virtualMachineProfile, fail);
  checkTags(inputs.tags, fail);
  checkZones(inputs.zones, fail);
  checkDeclaration(inputs, addressOk, fail);
  // Kept as given (a Pulumi secret: provider/credentials.ts); messages never show a secret setting's value.
  for (const failure of checkCredentialsInput(inputs.credentials, UNKNOWN)) fail(failure.property, failure.reason);

  return { inputs, failures };
}

type Fail = (property: string, reason: string) => void;

/** The scale set's address. Returns whether all three parts are known and valid. */
function checkAddress(inputs: Json, fail: Fail): boolean {
  let ok = true;
  const sub = inputs.subscriptionId;
  if (sub === undefined) {
    fail(
      "subscriptionId",
      "missing; expected a subscription GUID (ScaleSetWithIdentity reads AZURE_SUBSCRIPTION_ID or " +
        "ARM_SUBSCRIPTION_ID when it is not given)",
    );
    ok = false;
  } else if (sub === UNKNOWN) {
    ok = false;
  } else if (typeof sub !== "string" || !isSubscriptionId(sub)) {
    fail("subscriptionId", `expected a subscription GUID, got ${describeValue(sub)}`);
    ok = false;
  } else {
    inputs.subscriptionId = sub.toLowerCase();
  }

  const parts = [
    { property: "resourceGroupName", what: "a resource group name", rule: RESOURCE_GROUP_NAME_RULE },
    { property: "scaleSetName", what: "a scale set name", rule: SCALE_SET_NAME_RULE },
  ] as const;
  for (const { property, what, rule } of parts) {
    const value = inputs[property];
    if (value === undefined) {
      fail(property, `missing; expected ${what} of ${rule}`);
      ok = false;
    } else if (value === UNKNOWN) {
      ok = false;
    } else if (typeof value !== "string" || !nameIsValid(property, value)) {
      fail(property, `expected ${what} of ${rule}, got ${describeValue(value)}`);
      ok = false;
    }
  }
  return ok;
}

/** Checks one name with the ARM ID grammar (the one place that knows Azure's naming rules), the others fixed. */
function nameIsValid(property: "resourceGroupName" | "scaleSetName", value: string): boolean {
  if (value.includes("/")) return false;
  const rg = property === "resourceGroupName" ? value : "rg";
  const name = property === "scaleSetName" ? value : "vmss";
  try {
    parseScaleSetId(
      `/subscriptions/${VALID_SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`,
    );
    return true;
  } catch {
    return false;
  }
}

function checkLocation(location: unknown, fail: Fail): void {
  const expected = `an Azure region such as "eastus" or "East US"`;
  if (location === undefined) fail("location", `missing; expected ${expected}`);
  else if (location !== UNKNOWN && (typeof location !== "string" || !/^[A-Za-z0-9][A-Za-z0-9 ]{0,63}$/.test(location)))
    fail("location", `expected ${expected}, got ${describeValue(location)}`);
}

function checkSku(sku: unknown, fail: Fail): void {
  if (sku === undefined) return fail("sku", `missing; expected ${SKU_EXPECTED}`);
  if (sku === UNKNOWN) return;
  if (!isPlainObject(sku)) return fail("sku", `expected ${SKU_EXPECTED}, got ${describeValue(sku)}`);
  if (sku.name === undefined || sku.name === null) {
    fail("sku.name", `missing; expected a VM size such as "Standard_D1_v2"`);
  } else if (sku.name !== UNKNOWN && (typeof sku.name !== "string" || sku.name === "")) {
    fail("sku.name", `expected a VM size such as "Standard_D1_v2", got ${describeValue(sku.name)}`);
  }
  if (sku.tier !== undefined && sku.tier !== null && sku.tier !== UNKNOWN && typeof sku.tier !== "string") {
    fail("sku.tier", `expected a tier such as "Standard", got ${describeValue(sku.tier)}`);
  }
  const capacity = sku.capacity;
  if (
    capacity !== undefined &&
    capacity !== null &&
    capacity !== UNKNOWN &&
    (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 0)
  ) {
    fail("sku.capacity", `expected a whole number of virtual machines, 0 or more, got ${describeValue(capacity)}`);
  }
  for (const key of Object.keys(sku)) {
    if (!["name", "tier", "capacity"].includes(key)) fail(`sku.${key}`, `unknown property; expected ${SKU_EXPECTED}`);
  }
}

function checkType(inputs: Json, property: string, type: string, expected: string, fail: Fail): void {
  const value = inputs[property];
  if (value !== undefined && value !== UNKNOWN && typeof value !== type) {
    fail(property, `expected ${expected}, got ${describeValue(value)}`);
  }
}

function checkUpgradePolicy(policy: unknown, fail: Fail): void {
  if (policy === undefined || policy === UNKNOWN) return;
  if (!isPlainObject(policy)) {
    return fail("upgradePolicy", `expected an object such as { mode: "Manual" }, got ${describeValue(policy)}`);
  }
  const mode = policy.mode;
  if (mode === undefined || mode === null || mode === UNKNOWN) return;
  if (typeof mode !== "string" || !UPGRADE_MODES.some((m) => m.toLowerCase() === mode.toLowerCase())) {
    fail("upgradePolicy.mode", `expected "Automatic", "Manual" or "Rolling", got ${describeValue(mode)}`);
  }
}

function checkExtraProperties(extra: unknown, fail: Fail): void {
  if (extra === undefined || extra === UNKNOWN) return;
  if (!isPlainObject(extra)) {
    return fail("extraProperties", `expected an object of ARM scale set properties, got ${describeValue(extra)}`);
  }
  for (const key of Object.keys(extra)) {
    if ((RESERVED_EXTRA_PROPERTIES as readonly string[]).includes(key)) {
      const why = ["provisioningState", "uniqueId", "timeCreated"].includes(key)
        ? "ARM computes it (read-only)"
        : `use the ${key} argument`;
      fail(`extraProperties.${key}`, `not allowed here: ${why}`);
    }
  }
}

function isFlexible(extra: unknown): boolean {
  return (
    isPlainObject(extra) &&
    typeof extra.orchestrationMode === "string" &&
    extra.orchestrationMode.toLowerCase() === "flexible"
  );
}

function checkProfile(profile: unknown, extra: unknown, fail: Fail): void {
  const property = "virtualMachineProfile";
  if (profile === undefined) {
    if (!isFlexible(extra)) {
      fail(
        property,
        "missing; expected the virtual machine profile in ARM's JSON shape (storageProfile, osProfile, " +
          "networkProfile), as in the how-to; only a scale set with orchestrationMode Flexible may omit it",
      );
    }
    return;
  }
  if (profile === UNKNOWN) return;
  if (!isPlainObject(profile))
    return fail(property, `expected an object in ARM's JSON shape, got ${describeValue(profile)}`);

  const osProfile = profile.osProfile;
  if (osProfile !== undefined && osProfile !== null && osProfile !== UNKNOWN) {
    if (!isPlainObject(osProfile)) {
      fail(`${property}.osProfile`, `expected an object, got ${describeValue(osProfile)}`);
    } else {
      for (const key of ["computerNamePrefix", "adminUsername"]) {
        const value = osProfile[key];
        if (value === undefined || value === null) fail(`${property}.osProfile.${key}`, "missing; expected a string");
        else if (value !== UNKNOWN && (typeof value !== "string" || value === ""))
          fail(`${property}.osProfile.${key}`, `expected a non-empty string, got ${describeValue(value)}`);
      }
      for (const key of ["adminPassword", "customData"] as const) {
        if (osProfile[key] !== undefined && osProfile[key] !== null) {
          fail(SECRET_PATHS[key], SECRET_ELSEWHERE);
        }
      }
    }
  }
  checkNetworkProfile(profile.networkProfile, fail);
  checkExtensionProfile(profile.extensionProfile, fail);
}

function checkNetworkProfile(network: unknown, fail: Fail): void {
  const base = "virtualMachineProfile.networkProfile";
  if (!isPlainObject(network)) return;
  const configs = network.networkInterfaceConfigurations;
  if (configs === undefined || configs === null || configs === UNKNOWN) return;
  if (!Array.isArray(configs)) {
    return fail(`${base}.networkInterfaceConfigurations`, `expected an array, got ${describeValue(configs)}`);
  }
  configs.forEach((config, i) => {
    const at = `${base}.networkInterfaceConfigurations[${i}]`;
    if (config === UNKNOWN) return;
    if (!isPlainObject(config)) return fail(at, `expected { name, properties }, got ${describeValue(config)}`);
    if (config.name === undefined || config.name === null) fail(`${at}.name`, "missing; expected a string");
    if ("ipConfigurations" in config || "primary" in config) {
      return fail(at, `expected { name, properties: { primary, ipConfigurations } }; ${FLATTENED_HINT}`);
    }
    if (!isPlainObject(config.properties)) {
      if (config.properties !== UNKNOWN)
        fail(`${at}.properties`, `expected { primary?, ipConfigurations, … }, got ${describeValue(config.properties)}`);
      return;
    }
    const ipConfigs = config.properties.ipConfigurations;
    if (!Array.isArray(ipConfigs)) return;
    ipConfigs.forEach((ip, j) => {
      const ipAt = `${at}.properties.ipConfigurations[${j}]`;
      if (!isPlainObject(ip)) return;
      if (ip.name === undefined || ip.name === null) fail(`${ipAt}.name`, "missing; expected a string");
      if ("subnet" in ip || "primary" in ip)
        fail(ipAt, `expected { name, properties: { subnet, … } }; ${FLATTENED_HINT}`);
    });
  });
}

function checkExtensionProfile(extensionProfile: unknown, fail: Fail): void {
  const base = "virtualMachineProfile.extensionProfile.extensions";
  if (!isPlainObject(extensionProfile)) return;
  const extensions = extensionProfile.extensions;
  if (!Array.isArray(extensions)) return;
  extensions.forEach((extension, i) => {
    if (!isPlainObject(extension)) return;
    if (
      "publisher" in extension ||
      "type" in extension ||
      "settings" in extension ||
      "protectedSettings" in extension
    ) {
      fail(
        `${base}[${i}]`,
        `expected { name, properties: { publisher, type, typeHandlerVersion, … } }; ${FLATTENED_HINT}`,
      );
    } else if (isPlainObject(extension.properties) && extension.properties.protectedSettings !== undefined) {
      fail(`${base}[${i}].properties.protectedSettings`, SECRET_ELSEWHERE);
    }
  });
}

function extensionNames(profile: unknown): string[] | undefined {
  if (!isPlainObject(profile) || !isPlainObject(profile.extensionProfile)) return [];
  const extensions = profile.extensionProfile.extensions;
  if (extensions === UNKNOWN) return undefined;
  if (!Array.isArray(extensions)) return [];
  const names: string[] = [];
  for (const extension of extensions) {
    if (!isPlainObject(extension) || extension.name === UNKNOWN) return undefined;
    if (typeof extension.name === "string") names.push(extension.name);
  }
  return names;
}

/** Secrets: types and Azure's rules. Messages never contain a secret value. */
function checkSecrets(secrets: unknown, profile: unknown, fail: Fail): void {
  if (secrets === UNKNOWN) return;
  if (secrets !== undefined && !isPlainObject(secrets)) {
    return fail(
      "secretProperties",
      `expected { adminPassword?, customData?, protectedSettings? }, got ${kindOf(secrets)}`,
    );
  }
  const values: Json = secrets ?? {};
  for (const key of Object.keys(values)) {
    if (!["adminPassword", "customData", "protectedSettings"].includes(key)) {
      fail(`secretProperties.${key}`, "unknown property; expected adminPassword, customData or protectedSettings");
    }
  }

  const os = osFamilyOf(profile);
  const password = values.adminPassword;
  if (password !== undefined && password !== null && password !== UNKNOWN) {
    if (typeof password !== "string") {
      fail(SECRET_PATHS.adminPassword, `expected a string, got ${kindOf(password)}`);
    } else {
      const problem = passwordProblem(password, os);
      if (problem !== undefined) fail(SECRET_PATHS.adminPassword, problem);
    }
  } else if (password === undefined || password === null) {
    checkPasswordNeeded(profile, os, fail);
  }

  const customData = values.customData;
  if (customData !== undefined && customData !== null && customData !== UNKNOWN) {
    if (typeof customData !== "string") {
      fail(SECRET_PATHS.customData, `expected a base64 string, got ${kindOf(customData)}`);
    } else if (!BASE64.test(customData)) {
      fail(
        SECRET_PATHS.customData,
        `expected base64 (A-Z, a-z, 0-9, '+', '/', '=' padding), got ${customData.length} characters that are not`,
      );
    } else if (Buffer.from(customData, "base64").length > MAX_CUSTOM_DATA_BYTES) {
      fail(
        SECRET_PATHS.customData,
        `decodes to ${Buffer.from(customData, "base64").length} bytes; Azure accepts at most ${MAX_CUSTOM_DATA_BYTES}`,
      );
    }
  }

  const settings = values.protectedSettings;
  if (settings === undefined || settings === null || settings === UNKNOWN) return;
  if (!isPlainObject(settings)) {
    return fail(
      "secretProperties.protectedSettings",
      `expected an object keyed by extension name, got ${kindOf(settings)}`,
    );
  }
  const names = extensionNames(profile);
  for (const key of Object.keys(settings)) {
    if (key.startsWith("#")) {
      fail(
        `virtualMachineProfile.extensionProfile.extensions[${key.slice(1)}].name`,
        "missing; an extension with protectedSettings needs a name (its settings are matched back by name)",
      );
    } else if (names !== undefined && !names.includes(key)) {
      fail(
        `secretProperties.protectedSettings.${key}`,
        `no extension named ${quote(key)} in virtualMachineProfile.extensionProfile.extensions` +
          ` (extensions: ${names.length > 0 ? names.map(quote).join(", ") : "none"})`,
      );
    }
  }
}

/** An OS profile needs a way in: Windows a password; Linux a password or SSH keys with passwords disabled. */
function checkPasswordNeeded(profile: unknown, os: string | undefined, fail: Fail): void {
  if (!isPlainObject(profile) || !isPlainObject(profile.osProfile) || os === undefined) return;
  const osProfile = profile.osProfile;
  if (os === "windows") {
    return fail(SECRET_PATHS.adminPassword, "missing; a Windows scale set needs an administrator password");
  }
  const linux = isPlainObject(osProfile.linuxConfiguration) ? osProfile.linuxConfiguration : {};
  const keys = isPlainObject(linux.ssh) ? linux.ssh.publicKeys : undefined;
  if (linux.disablePasswordAuthentication === UNKNOWN || keys === UNKNOWN) return;
  if (linux.disablePasswordAuthentication !== true || !Array.isArray(keys) || keys.length === 0) {
    fail(
      SECRET_PATHS.adminPassword,
      "missing; a Linux scale set needs an administrator password, or linuxConfiguration.disablePasswordAuthentication" +
        " true with ssh.publicKeys",
    );
  }
}

function checkTags(tags: unknown, fail: Fail): void {
  if (tags === undefined || tags === UNKNOWN) return;
  if (!isPlainObject(tags)) return fail("tags", `expected an object of string values, got ${describeValue(tags)}`);
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) fail("tags", `${entries.length} tags; Azure allows at most ${MAX_TAGS} per resource`);
  for (const [name, value] of entries) {
    if (name.length > MAX_TAG_NAME || TAG_NAME_FORBIDDEN.test(name) || name === "") {
      fail(
        `tags.${name}`,
        `invalid tag name ${quote(name)}: expected 1-${MAX_TAG_NAME} characters without < > % & \\ ? /`,
      );
    }
    if (value === UNKNOWN) continue;
    if (typeof value !== "string") fail(`tags.${name}`, `expected a string, got ${describeValue(value)}`);
    else if (value.length > MAX_TAG_VALUE)
      fail(`tags.${name}`, `a value of ${value.length} characters; Azure allows at most ${MAX_TAG_VALUE}`);
  }
}

function checkZones(zones: unknown, fail: Fail): void {
  if (zones === undefined || zones === UNKNOWN) return;
  if (!Array.isArray(zones) || !zones.every((z) => typeof z === "string")) {
    fail("zones", `expected an array of zone names such as ["1", "2"], got ${describeValue(zones)}`);
  }
}

/** Identity, api-version and cloud: the algebra's validation, with the scale set ID these inputs address. */
function checkDeclaration(inputs: Json, addressOk: boolean, fail: Fail): void {
  const declaration: Json = {
    scaleSetId: addressOk
      ? `/subscriptions/${inputs.subscriptionId}/resourceGroups/${inputs.resourceGroupName}/providers/Microsoft.Compute/virtualMachineScaleSets/${inputs.scaleSetName}`
      : UNKNOWN,
  };
  for (const key of ["systemAssigned", "userAssignedIdentities", "apiVersion", "environment", "endpoint"]) {
    if (inputs[key] !== undefined) declaration[key] = inputs[key];
  }
  const result = validateDeclarationInputs(declaration);
  for (const failure of result.failures) {
    // The address was checked part by part above.
    if (failure.property !== "scaleSetId") fail(failure.property, failure.reason);
  }
  for (const key of ["userAssignedIdentities", "environment", "endpoint"]) {
    if (result.inputs[key] !== undefined) inputs[key] = result.inputs[key];
  }
}

/** The kind of a value, with its article: never the value itself (these are secrets). */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
