// The name and value rules ARM and the resource providers apply to what the emulator serves, so that nothing
// Azure refuses is accepted here. Each rule names its public source; where the source gives the rule but not
// the error ARM answers with, the code and wording are the emulator's choice and docs/emulator.md says so.
//
// Sources:
// [names]  "Naming rules and restrictions for Azure resources",
//          https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
// [rg]     Resources REST spec, ResourceGroups_CreateOrUpdate `resourceGroupName`: pattern ^[-\w\._\(\)]+$,
//          1 to 90 characters (azure-rest-api-specs, specification/resources/.../resources.json); ARM's answer
//          InvalidResourceGroup "The provided resource group name '…' has these invalid characters: '…'. The name
//          can only be a letter, digit, '-', '.', '(', ')' or '_'." as public error reports quote it
//          (e.g. https://github.com/microsoft/microsoft-foundry-for-vscode/issues/53).
// [msi]    ManagedIdentity REST spec, UserAssignedIdentities_CreateOrUpdate `resourceName`:
//          pattern ^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$ (specification/msi/resource-manager/.../ManagedIdentity.json).
// [tags]   "Use tags to organize your Azure resources", Limitations,
//          https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations:
//          50 tags, names up to 512 characters, values up to 256, names without < > % & \ ? /. The codes and
//          messages (InvalidTags, InvalidTagName, InvalidTagNameCharacters, InvalidTagValueLength) as Microsoft's
//          own Az.Migrate cmdlets reproduce ARM's, and as the az storage tutorial on learn.microsoft.com shows
//          InvalidTagNameCharacters.
// [region] ARM's LocationNotAvailableForResourceGroup / LocationNotAvailableForResourceType answers
//          (https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-sku-not-available and
//          common-deployment-errors list them); the regions of the public cloud (`az account list-locations`).
import { ArmFailure } from "./arm-errors";

/** Regions of Azure's public cloud as ARM spells them (lower case, no spaces), as `az account list-locations` names them. */
export const PUBLIC_REGIONS: readonly string[] = [
  "australiacentral",
  "australiacentral2",
  "australiaeast",
  "australiasoutheast",
  "austriaeast",
  "belgiumcentral",
  "brazilsouth",
  "brazilsoutheast",
  "canadacentral",
  "canadaeast",
  "centralindia",
  "centralus",
  "centraluseuap",
  "chilecentral",
  "eastasia",
  "eastus",
  "eastus2",
  "eastus2euap",
  "francecentral",
  "francesouth",
  "germanynorth",
  "germanywestcentral",
  "indonesiacentral",
  "israelcentral",
  "italynorth",
  "japaneast",
  "japanwest",
  "jioindiacentral",
  "jioindiawest",
  "koreacentral",
  "koreasouth",
  "malaysiawest",
  "mexicocentral",
  "newzealandnorth",
  "northcentralus",
  "northeurope",
  "norwayeast",
  "norwaywest",
  "polandcentral",
  "qatarcentral",
  "southafricanorth",
  "southafricawest",
  "southcentralus",
  "southeastasia",
  "southindia",
  "spaincentral",
  "swedencentral",
  "swedensouth",
  "switzerlandnorth",
  "switzerlandwest",
  "uaecentral",
  "uaenorth",
  "uksouth",
  "ukwest",
  "westcentralus",
  "westeurope",
  "westindia",
  "westus",
  "westus2",
  "westus3",
];
const REGIONS = new Set(PUBLIC_REGIONS);

// .NET's \w, which the resource group pattern uses: letters, marks, decimal digits and connector punctuation.
const RG_ALLOWED = /[-\p{L}\p{M}\p{Nd}\p{Pc}.()]/u;

/** [rg] A resource group name ARM accepts. @throws ArmFailure 400 InvalidResourceGroup */
export function checkResourceGroupName(name: string): void {
  const invalid = [...new Set([...name].filter((c) => !RG_ALLOWED.test(c)))].join("");
  if (invalid !== "") {
    throw new ArmFailure(
      400,
      "InvalidResourceGroup",
      `The provided resource group name '${name}' has these invalid characters: '${invalid}'. The name can only be a letter, digit, '-', '.', '(', ')' or '_'.`,
    );
  }
  if (name.length > 90) {
    throw new ArmFailure(
      400,
      "InvalidResourceGroup",
      `The provided resource group name '${name}' is ${name.length} characters long. It can have at most 90 characters.`,
    );
  }
  if (name.endsWith(".")) {
    throw new ArmFailure(
      400,
      "InvalidResourceGroup",
      `The provided resource group name '${name}' ends with '.'. The name can only be a letter, digit, '-', '.', '(', ')' or '_', and cannot end with '.'.`,
    );
  }
}

const IDENTITY_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/;

/** [msi] A user-assigned identity name the Managed Identity service accepts. @throws ArmFailure 400 InvalidResourceName */
export function checkIdentityName(name: string): void {
  if (IDENTITY_NAME.test(name)) return;
  throw new ArmFailure(
    400,
    "InvalidResourceName",
    `The resource name '${name}' is invalid. A user-assigned identity name must be 3 to 128 characters long, start with a letter or a digit, and contain only letters, digits, hyphens and underscores.`,
  );
}

// [names] virtualMachineScaleSets: 1-64 characters (1-15 for a Windows computer name derived from it, which the
// emulator cannot know), none of \ / " [ ] : | < > + = ; , ? * @ &, no leading underscore, no trailing period or
// hyphen; spaces and control characters are refused as for virtual machines.
const SCALE_SET_FORBIDDEN = /[\\/"[\]:|<>+=;,?*@&\s\p{Cc}]/u;

/** [names] A scale set name Compute accepts. @throws ArmFailure 400 InvalidResourceName */
export function checkScaleSetName(name: string): void {
  const bad =
    name.length > 64 ||
    SCALE_SET_FORBIDDEN.test(name) ||
    name.startsWith("_") ||
    name.endsWith(".") ||
    name.endsWith("-");
  if (!bad) return;
  throw new ArmFailure(
    400,
    "InvalidResourceName",
    `The resource name '${name}' is invalid. A virtual machine scale set name must be 1 to 64 characters long, must not contain spaces, control characters or any of \\/"[]:|<>+=;,?*@&, must not start with '_' and must not end with '.' or '-'.`,
  );
}

/** [region] A resource group's location: a region of the public cloud. @throws ArmFailure 400 LocationNotAvailableForResourceGroup */
export function checkResourceGroupLocation(location: string): void {
  if (REGIONS.has(location)) return;
  throw new ArmFailure(
    400,
    "LocationNotAvailableForResourceGroup",
    `The provided location '${location}' is not available for resource group. List of available regions is '${PUBLIC_REGIONS.join(",")}'.`,
  );
}

/** [region] A resource's location. @throws ArmFailure 400 LocationNotAvailableForResourceType */
export function checkResourceLocation(location: string, resourceType: string): void {
  if (REGIONS.has(location)) return;
  throw new ArmFailure(
    400,
    "LocationNotAvailableForResourceType",
    `The provided location '${location}' is not available for resource type '${resourceType}'. List of available regions for the resource type is '${PUBLIC_REGIONS.join(",")}'.`,
  );
}

// Control characters are refused in tag names along with the listed ones ([tags]).
const TAG_NAME_RESERVED = /[<>%&\\?/\p{Cc}]/u;

/**
 * [tags] Tags ARM accepts: at most 50, names 1-512 characters without reserved characters, values of at most
 * 256 characters. Values must be strings: ARM reads tags as a string dictionary (a number or boolean is
 * converted by its JSON reader, an object or array is refused as content it cannot convert).
 * @returns the tags with every value a string.
 * @throws ArmFailure 400 InvalidTags | InvalidTagName | InvalidTagNameCharacters | InvalidTagValueLength | InvalidRequestContent
 */
export function checkTags(tags: Record<string, unknown>): Record<string, string> {
  const names = Object.keys(tags);
  if (names.length > 50) {
    throw new ArmFailure(
      400,
      "InvalidTags",
      `Too many tags specified. Requested tag count - '${names.length}'. Maximum number of tags allowed - '50'.`,
    );
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(tags)) {
    if (typeof value === "string") out[name] = value;
    else if (typeof value === "number" || typeof value === "boolean") out[name] = String(value);
    else if (value === null) out[name] = "";
    else {
      throw new ArmFailure(
        400,
        "InvalidRequestContent",
        `The request content was invalid and could not be deserialized: 'Error converting value ${JSON.stringify(value)} to type 'System.String'. Path 'tags.${name}'.'.`,
      );
    }
  }
  if (names.some((name) => name.trim() === "")) {
    throw new ArmFailure(
      400,
      "InvalidTagName",
      "The tag name must be non-null, non-empty and non-whitespace only. Please provide an actual value.",
    );
  }
  const reserved = names.filter((name) => TAG_NAME_RESERVED.test(name));
  if (reserved.length > 0) {
    throw new ArmFailure(
      400,
      "InvalidTagNameCharacters",
      `The tag names '${reserved.join(", ")}' have reserved characters '<,>,%,&,\\,?,/' or control characters.`,
    );
  }
  const longNames = names.filter((name) => name.length > 512);
  if (longNames.length > 0) {
    throw new ArmFailure(
      400,
      "InvalidTagName",
      `Tag key too large. Following tag name '${longNames.join(", ")}' exceeded the maximum length. Maximum allowed length for tag name - '512' characters.`,
    );
  }
  const longValues = Object.values(out).filter((value) => value.length > 256);
  if (longValues.length > 0) {
    throw new ArmFailure(
      400,
      "InvalidTagValueLength",
      `Tag value too large. Following tag value '${longValues.join(", ")}' exceeded the maximum length. Maximum allowed length for tag value - '256' characters.`,
    );
  }
  return out;
}
