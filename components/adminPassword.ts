/**
 * Azure's rules for the administrator password of a scale set's virtual machines, checked before any request.
 *
 * The rule is the Compute API's own, from the description of `VirtualMachineScaleSetOSProfile.adminPassword` in the
 * Compute REST specification, as the Azure SDKs publish it (e.g.
 * https://learn.microsoft.com/dotnet/api/azure.resourcemanager.compute.models.virtualmachinescalesetosprofile.adminpassword):
 * - length: Windows 8–123 characters, Linux 6–72;
 * - complexity: 3 of 4 conditions: a lower-case letter, an upper-case letter, a digit, a special character
 *   (regex `[\W_]`);
 * - disallowed values: "abc@123", "P@$$w0rd", "P@ssw0rd", "P@ssword123", "Pa$$word", "pass@word1", "Password!",
 *   "Password1", "Password22", "iloveyou!".
 * The Azure portal and CLI ask for 12 characters on Windows; the API accepts 8, and so does this check (it must not
 * refuse what ARM accepts). Messages never contain the password: only its length and which conditions it misses.
 */
import { isPlainObject } from "./secretProperties";

/** The operating system family of a scale set's images, when the profile tells it. */
export type OsFamily = "windows" | "linux";

/** Length limits in characters, inclusive. */
export const PASSWORD_LENGTH: Record<OsFamily | "unknown", { min: number; max: number }> = {
  windows: { min: 8, max: 123 },
  linux: { min: 6, max: 72 },
  // OS not known from the profile: only what both families accept is certain to be wrong.
  unknown: { min: 6, max: 123 },
};

const DISALLOWED = new Set([
  "abc@123",
  "P@$$w0rd",
  "P@ssw0rd",
  "P@ssword123",
  "Pa$$word",
  "pass@word1",
  "Password!",
  "Password1",
  "Password22",
  "iloveyou!",
]);

const CONDITIONS: readonly { name: string; test: RegExp }[] = [
  { name: "a lower-case letter", test: /[a-z]/ },
  { name: "an upper-case letter", test: /[A-Z]/ },
  { name: "a digit", test: /[0-9]/ },
  { name: "a special character", test: /[\W_]/ },
];

/**
 * The OS family a virtual machine profile declares: `osProfile.windowsConfiguration` / `linuxConfiguration`,
 * else `storageProfile.osDisk.osType`, else an image publisher that names Windows (the how-to's
 * `MicrosoftWindowsServer`); `undefined` when nothing tells.
 */
export function osFamilyOf(profile: unknown): OsFamily | undefined {
  if (!isPlainObject(profile)) return undefined;
  const osProfile = isPlainObject(profile.osProfile) ? profile.osProfile : {};
  if (isPlainObject(osProfile.windowsConfiguration)) return "windows";
  if (isPlainObject(osProfile.linuxConfiguration)) return "linux";
  const storage = isPlainObject(profile.storageProfile) ? profile.storageProfile : {};
  const osDisk = isPlainObject(storage.osDisk) ? storage.osDisk : {};
  if (typeof osDisk.osType === "string") {
    const osType = osDisk.osType.toLowerCase();
    if (osType === "windows" || osType === "linux") return osType;
  }
  const image = isPlainObject(storage.imageReference) ? storage.imageReference : {};
  if (typeof image.publisher === "string" && /windows/i.test(image.publisher)) return "windows";
  return undefined;
}

/**
 * Checks a password against Azure's rules for the OS family (see the module comment).
 * @returns `undefined` when it passes, else why it fails, without the password itself.
 */
export function passwordProblem(password: string, os: OsFamily | undefined): string | undefined {
  const rule = PASSWORD_LENGTH[os ?? "unknown"];
  const family = os === undefined ? "Windows or Linux" : os === "windows" ? "Windows" : "Linux";
  // Count code points, not UTF-16 units: an emoji is one character to the user.
  const length = [...password].length;
  if (length < rule.min || length > rule.max) {
    return `a password of ${length} characters is outside Azure's rule for ${family}: ${rule.min}-${rule.max} characters`;
  }
  const missing = CONDITIONS.filter((c) => !c.test.test(password)).map((c) => c.name);
  if (missing.length > 1) {
    return (
      `the password meets ${CONDITIONS.length - missing.length} of Azure's 4 complexity conditions, 3 are required; ` +
      `it lacks ${missing.slice(0, -1).join(", ")} and ${missing[missing.length - 1]}`
    );
  }
  if (DISALLOWED.has(password)) {
    return `the password is one of the ${DISALLOWED.size} common passwords that Azure refuses; choose another`;
  }
  return undefined;
}
