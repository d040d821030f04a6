import * as pulumi from "@pulumi/pulumi";
import {
  type OwnedUserIdentity,
  VmssManagedIdentity,
  type VmssManagedIdentityArgs,
} from "../provider/vmssManagedIdentity";
import { ScaleSet, type ScaleSetArgs } from "./scaleSet";
import type { ScaleSetWithIdentityArgs } from "./scaleSetArgs";
import { splitProfileSecrets } from "./secretInputs";

/** Pulumi type token of {@link ScaleSetWithIdentity} in TypeScript programs (the plugin's is `vmss-identity:index:…`). */
export const SCALE_SET_WITH_IDENTITY_TYPE = "pulumi-vmss-identity:index:ScaleSetWithIdentity";

/**
 * The outputs of {@link ScaleSetWithIdentity}, by name: one list for the class (TypeScript programs), the provider
 * plugin's schema (plugin/schema.ts, which must describe exactly these) and so every generated SDK. None is a
 * property Pulumi reserves for resources (`id`, `urn`), which a component's schema cannot declare.
 */
export const SCALE_SET_WITH_IDENTITY_OUTPUTS = [
  "scaleSetId",
  "scaleSetName",
  "principalId",
  "tenantId",
  "userIdentities",
  "provisioningState",
  "uniqueId",
] as const;

/** The name of one output of {@link ScaleSetWithIdentity}. */
export type ScaleSetWithIdentityOutput = (typeof SCALE_SET_WITH_IDENTITY_OUTPUTS)[number];

/**
 * The resources a {@link ScaleSetWithIdentity} is made of, per door: in a TypeScript program the dynamic resources
 * {@link ScaleSet} and {@link VmssManagedIdentity} (the default); in the provider plugin its own resource types
 * (plugin/construct.ts), since a dynamic resource needs the program's own Node.js modules. Internal to the package.
 */
/** The outputs the component reads of its `ScaleSet` child: a door's own children must provide exactly these. */
export type ScaleSetChildOutputs = Pick<ScaleSet, "id" | "scaleSetName" | "provisioningState" | "uniqueId">;
/** The outputs the component reads of its `VmssManagedIdentity` child. */
export type IdentityChildOutputs = Pick<VmssManagedIdentity, "principalId" | "tenantId" | "userIdentities">;

export interface ScaleSetWithIdentityChildren {
  /** The component's type token. */
  type: string;
  /** Registers `<name>-scaleset`. */
  scaleSet(name: string, args: ScaleSetArgs, opts: pulumi.CustomResourceOptions): ScaleSet;
  /** Registers `<name>-identity`. */
  identity(name: string, args: VmssManagedIdentityArgs, opts: pulumi.CustomResourceOptions): VmssManagedIdentity;
}

/** The children of a TypeScript program: the package's dynamic resources. */
const DYNAMIC_CHILDREN: ScaleSetWithIdentityChildren = {
  type: SCALE_SET_WITH_IDENTITY_TYPE,
  scaleSet: (name, args, opts) => new ScaleSet(name, args, opts),
  identity: (name, args, opts) => new VmssManagedIdentity(name, args, opts),
};

/**
 * An Azure VM scale set created with its managed identities in one ARM PUT (the how-to's creation recipes), whose
 * identities are managed afterwards by a `VmssManagedIdentity`, so that later identity changes are delta PATCHes
 * that never wipe identities something else assigned, and no stack ever echoes ARM's read-only identity values.
 * The provider plugin serves this same class to YAML, Python, Go and C# programs, with the same outputs
 * ({@link SCALE_SET_WITH_IDENTITY_OUTPUTS}).
 *
 * Children (named after the component):
 * - `<name>-scaleset`, a {@link ScaleSet}: the PUT, in-place PATCHes (never with `identity`), replacement where ARM
 *   cannot change a property, DELETE;
 * - `<name>-identity`, a {@link VmssManagedIdentity} on the scale set's ID with the same `systemAssigned` and
 *   `userAssignedIdentities`: on the first `up` it finds them in place and sends nothing; afterwards it applies
 *   changes, and owns the role assignments of `roleAssignments`. Without role assignments it is deleted with the
 *   scale set (`deletedWith`), not by stripping identities from a scale set that is being deleted anyway; with them
 *   it is deleted first: the assignments, then its identities, then the scale set.
 *
 * `adminPassword`, `customData` and extensions' `protectedSettings` are taken out of the profile into the scale set's
 * `secretProperties`, a Pulumi secret: encrypted in state, merged into the request body only in the provider process.
 */
export class ScaleSetWithIdentity extends pulumi.ComponentResource {
  /** ARM ID of the scale set (canonical spelling). */
  public readonly scaleSetId: pulumi.Output<string>;
  /** Name of the scale set. */
  public readonly scaleSetName: pulumi.Output<string>;
  /** Principal (object) ID of the system-assigned identity, when it is on: hand it to role assignments. */
  public readonly principalId: pulumi.Output<string | undefined>;
  /** Tenant of the system-assigned identity, when it is on. */
  public readonly tenantId: pulumi.Output<string | undefined>;
  /** Per declared user-assigned identity: its ID, principal ID and client ID. */
  public readonly userIdentities: pulumi.Output<OwnedUserIdentity[]>;
  /** `properties.provisioningState` after the last operation on the scale set, e.g. `Succeeded`. */
  public readonly provisioningState: pulumi.Output<string | undefined>;
  /** `properties.uniqueId`: ARM's GUID for this scale set. */
  public readonly uniqueId: pulumi.Output<string | undefined>;
  /**
   * ARM ID of the scale set.
   * @deprecated Use {@link scaleSetId}, the name the plugin's schema and every SDK use; `id` goes in the next release.
   */
  public readonly id: pulumi.Output<string>;
  /**
   * Name of the scale set.
   * @deprecated Use {@link scaleSetName}, the name the plugin's schema and every SDK use; `name` goes in the next
   * release.
   */
  public readonly name: pulumi.Output<string>;
  /** The child that creates, updates and deletes the scale set. */
  public readonly scaleSet: ScaleSet;
  /** The child that manages the scale set's identities after creation. */
  public readonly identity: VmssManagedIdentity;

  /**
   * @param name component name; also the default scale set name, and the prefix of the children's names.
   * @param args see {@link ScaleSetWithIdentityArgs}.
   * @param opts component options; children get `{ parent: this }`.
   * @param children internal: the resources the component is made of (the provider plugin passes its own). Default:
   *   the package's dynamic resources.
   */
  constructor(
    name: string,
    args: ScaleSetWithIdentityArgs,
    opts?: pulumi.ComponentResourceOptions,
    children: ScaleSetWithIdentityChildren = DYNAMIC_CHILDREN,
  ) {
    super(children.type, name, {}, opts);

    const childArgs = childArgsOf(name, args);
    this.scaleSet = children.scaleSet(`${name}-scaleset`, childArgs.scaleSet, { parent: this });
    this.identity = children.identity(`${name}-identity`, childArgs.identity(this.scaleSet.id), {
      parent: this,
      dependsOn: [this.scaleSet],
      // Deleting the scale set deletes its identities, but not their role assignments: with role assignments the
      // child is deleted first, so that they go before their principals do (docs/component.md, "Role assignments").
      deletedWith: args.roleAssignments === undefined ? this.scaleSet : undefined,
    });

    this.scaleSetId = this.scaleSet.id;
    this.scaleSetName = this.scaleSet.scaleSetName;
    this.principalId = this.identity.principalId;
    this.tenantId = this.identity.tenantId;
    this.userIdentities = this.identity.userIdentities;
    this.provisioningState = this.scaleSet.provisioningState;
    this.uniqueId = this.scaleSet.uniqueId;
    this.id = this.scaleSetId;
    this.name = this.scaleSetName;
    this.registerOutputs(outputsOf(this));
  }
}

/**
 * The outputs of a component by name ({@link SCALE_SET_WITH_IDENTITY_OUTPUTS}), as it registers them and as the
 * plugin's Construct returns them.
 */
export function outputsOf(component: ScaleSetWithIdentity): Record<ScaleSetWithIdentityOutput, pulumi.Output<unknown>> {
  return Object.fromEntries(SCALE_SET_WITH_IDENTITY_OUTPUTS.map((key) => [key, component[key]])) as Record<
    ScaleSetWithIdentityOutput,
    pulumi.Output<unknown>
  >;
}

/**
 * The arguments of the component's two children (`<name>-scaleset`, `<name>-identity`), from the component's: one
 * wiring for both doors (the provider plugin's children are its own resources: plugin/construct.ts).
 */
export function childArgsOf(
  name: string,
  args: ScaleSetWithIdentityArgs,
): { scaleSet: ScaleSetArgs; identity: (scaleSetId: pulumi.Input<string>) => VmssManagedIdentityArgs } {
  const { profile, secretProperties } = splitProfileSecrets(args.virtualMachineProfile);
  return {
    scaleSet: {
      subscriptionId: args.subscriptionId,
      resourceGroupName: args.resourceGroupName,
      scaleSetName: args.scaleSetName ?? name,
      location: args.location,
      sku: args.sku,
      upgradePolicy: args.upgradePolicy,
      overprovision: args.overprovision,
      virtualMachineProfile: profile as ScaleSetWithIdentityArgs["virtualMachineProfile"],
      tags: args.tags,
      zones: args.zones,
      extraProperties: args.extraProperties,
      systemAssigned: args.systemAssigned,
      userAssignedIdentities: args.userAssignedIdentities,
      apiVersion: args.apiVersion,
      environment: args.environment,
      endpoint: args.endpoint,
      credentials: args.credentials,
      secretProperties,
    },
    identity: (scaleSetId) => ({
      scaleSetId,
      systemAssigned: args.systemAssigned,
      userAssignedIdentities: args.userAssignedIdentities,
      apiVersion: args.apiVersion,
      environment: args.environment,
      endpoint: args.endpoint,
      credentials: args.credentials,
      roleAssignments: args.roleAssignments,
      // The scale set was created with these identities a moment before: finding them is expected.
      adoption: "silent",
    }),
  };
}
