import * as pulumi from "@pulumi/pulumi";
import type { VmssIdentityInputs, VmssIdentityOutputs } from "./runtime";
import type { EnvironmentName } from "./grammar/cloud";
import { type VmssIdentityCredentials, secretCredentials, withSecretCredentials } from "./credentials";

/** Arguments of {@link VmssManagedIdentity}. */
export interface VmssManagedIdentityArgs {
  /**
   * ARM ID of the scale set, e.g. `/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachineScaleSets/<name>`.
   * Any casing of the fixed segments is accepted (`resourcegroups` too). Changing it replaces the resource.
   */
  readonly scaleSetId: pulumi.Input<string>;
  /** `true` ensures the system-assigned identity is on, `false` ensures it is off; absent leaves it alone. */
  readonly systemAssigned?: pulumi.Input<boolean>;
  /** ARM IDs of the user-assigned identities this resource owns: added on create, removed on delete. */
  readonly userAssignedIdentities?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * `"additive"` (default) never touches identities this resource does not list. `"exclusive"` makes the scale set's
   * identity exactly what is declared (an absent `systemAssigned` then means off).
   */
  readonly mode?: pulumi.Input<"additive" | "exclusive">;
  /** Compute api-version of the requests. Default `2024-11-01`; `2017-12-01` and `2018-04-01` use `identityIds`. */
  readonly apiVersion?: pulumi.Input<string>;
  /**
   * Azure cloud: `public` (default), `usgovernment` or `china`. Default from `AZURE_ENVIRONMENT` / `ARM_ENVIRONMENT`.
   */
  readonly environment?: pulumi.Input<EnvironmentName>;
  /**
   * An explicit Azure Resource Manager endpoint (the local emulator, an Azure Stack hub): https, or http on loopback.
   * Default from `VMSS_IDENTITY_ARM_ENDPOINT`, else the endpoint of `environment`.
   */
  readonly endpoint?: pulumi.Input<string>;
  /**
   * What to say when creation finds declared identities already assigned: `"warn"` (default) warns that this
   * resource now owns them; `"silent"` says nothing (`ScaleSetWithIdentity` uses it: its scale set was created with
   * them a moment before).
   */
  readonly adoption?: pulumi.Input<"warn" | "silent">;
  /**
   * The principal to sign in as, instead of the environment's (`ARM_*`/`AZURE_*` variables): `clientId`, `tenantId`,
   * `clientSecret`, `clientCertificatePath`, `useOidc`, `oidcToken`, … as the plugin's provider configuration takes
   * them. Always stored as a secret; two resources may use two principals in one stack (provider/credentials.ts).
   */
  readonly credentials?: pulumi.Input<VmssIdentityCredentials>;
  /**
   * Role assignments for the identities this resource manages, owned with them: made once the identity is in place
   * (with `principalType: ServicePrincipal` and a deterministic name, `PrincipalNotFound` retried), removed before
   * the PATCH that turns the system identity off or removes a user identity, and on delete. Each entry:
   * `identity` `"system"` (needs `systemAssigned: true`) or one of `userAssignedIdentities`; `role` a built-in role
   * name (`"Reader"`, `"Storage Blob Data Reader"`, …) or a role definition ID or GUID; `scope` an ARM ID.
   */
  readonly roleAssignments?: pulumi.Input<pulumi.Input<RoleAssignmentArgs>[]>;
}

/** One role assignment declared on a {@link VmssManagedIdentity}. */
export interface RoleAssignmentArgs {
  /** `"system"` or the ARM ID of one of the resource's `userAssignedIdentities`. */
  identity: pulumi.Input<string>;
  /** A built-in role name (any casing), a role definition GUID or a role definition ID. */
  role: pulumi.Input<string>;
  /** ARM ID of the scope: a subscription, a resource group or a resource. */
  scope: pulumi.Input<string>;
}

/** A role assignment in place, owned by a {@link VmssManagedIdentity}. */
export interface RoleAssignmentInPlaceOutput {
  /** `"system"` or the user-assigned identity's canonical ID. */
  identity: string;
  /** The role definition's GUID. */
  role: string;
  /** The built-in role's name, for a built-in role. */
  roleName?: string;
  /** Canonical ARM ID of the scope. */
  scope: string;
  /** The principal (object) ID it grants the role to. */
  principalId: string;
  /** The role assignment's ARM ID. */
  id: string;
}

/** One user-assigned identity owned by a {@link VmssManagedIdentity}. */
export interface OwnedUserIdentity {
  /** Canonical ARM ID of the identity. */
  id: string;
  /** Principal (object) ID of the identity: what role assignments need. */
  principalId?: string;
  /** Client (application) ID of the identity. */
  clientId?: string;
}

/**
 * The managed identities of an Azure VM scale set, or the part of them that this resource owns.
 *
 * Every change is a GET of the scale set, a merge planned by the identity algebra, and an ARM PATCH that carries only
 * the delta (`{}` to add, `null` to remove), as Azure's how-to does by hand: identities that another tool or another
 * stack assigned are never wiped in the default `additive` mode. Preview makes no ARM call.
 *
 * Credentials come from the environment (`DefaultAzureCredential`: `AZURE_CLIENT_ID`/`AZURE_CLIENT_SECRET`/
 * `AZURE_TENANT_ID`, managed identity, Azure CLI…) and never reach Pulumi state.
 */
export class VmssManagedIdentity extends pulumi.dynamic.Resource {
  /** Canonical ARM ID of the scale set. */
  declare readonly scaleSetId: pulumi.Output<string>;
  /** The declared system-assigned setting, as it stands on the scale set (absent when not managed). */
  declare readonly systemAssigned: pulumi.Output<boolean | undefined>;
  /** Canonical IDs of the owned user-assigned identities present on the scale set. */
  declare readonly userAssignedIdentities: pulumi.Output<string[]>;
  /** The mode in force. */
  declare readonly mode: pulumi.Output<"additive" | "exclusive">;
  /** The scale set's effective identity type (`None`, `SystemAssigned`, `UserAssigned`, `SystemAssigned, UserAssigned`). */
  declare readonly identityType: pulumi.Output<string>;
  /** Principal ID of the system-assigned identity, when enabled: hand it to role assignments. */
  declare readonly principalId: pulumi.Output<string | undefined>;
  /** Tenant ID of the system-assigned identity, when enabled. */
  declare readonly tenantId: pulumi.Output<string | undefined>;
  /** Per owned user-assigned identity: its principal and client IDs. */
  declare readonly userIdentities: pulumi.Output<OwnedUserIdentity[]>;
  /** User-assigned identities on the scale set that this resource does not own. */
  declare readonly otherUserAssignedIdentities: pulumi.Output<string[]>;
  /** Whether this resource turned the system-assigned identity on (only then does deleting it turn it off). */
  declare readonly systemAssignedOwned: pulumi.Output<boolean>;
  /** The role assignments this resource owns and that are in place, each with its ARM ID. */
  declare readonly roleAssignmentsInPlace: pulumi.Output<RoleAssignmentInPlaceOutput[]>;

  constructor(name: string, args: VmssManagedIdentityArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      vmssManagedIdentityProvider,
      name,
      {
        ...args,
        credentials: secretCredentials(args.credentials),
        identityType: undefined,
        principalId: undefined,
        tenantId: undefined,
        userIdentities: undefined,
        otherUserAssignedIdentities: undefined,
        systemAssignedOwned: undefined,
        roleAssignmentsInPlace: undefined,
      },
      withSecretCredentials(opts),
      "pulumi-vmss-identity",
      "VmssManagedIdentity",
    );
  }
}

/** The implementation module, loaded by package name in the provider process (provider/runtime.ts). */
type Runtime = typeof import("./runtime");
/** The runtime's functions take the properties as Pulumi hands them over: plain JSON records. */
type Props = Record<string, unknown>;

/**
 * The dynamic provider. Pulumi serialises this object into every resource's state and runs it in a separate process,
 * so it captures nothing (no credential, no client, no closure over module state) and loads its implementation by
 * package name there (its `require` is resolved in the provider process; see docs/component.md). Keep its methods
 * plain functions: an arrow function capturing `this` cannot be serialised.
 */
export const vmssManagedIdentityProvider: pulumi.dynamic.ResourceProvider<VmssIdentityInputs, VmssIdentityOutputs> = {
  async check(olds, news) {
    const runtime: Runtime = require("pulumi-vmss-identity/provider/runtime");
    const { inputs, failures } = runtime.check(olds as unknown as Props, news as unknown as Props);
    return { inputs: inputs as unknown as VmssIdentityInputs, failures };
  },
  async diff(_id, olds, news) {
    const runtime: Runtime = require("pulumi-vmss-identity/provider/runtime");
    return runtime.diff(olds as unknown as Props, news as unknown as Props);
  },
  async create(inputs) {
    const runtime: Runtime = require("pulumi-vmss-identity/provider/runtime");
    return runtime.labelled(inputs as unknown as Props, () => runtime.create(inputs as unknown as Props));
  },
  async read(id, props) {
    const runtime: Runtime = require("pulumi-vmss-identity/provider/runtime");
    const outs =
      props === undefined
        ? undefined
        : await runtime.labelled(props as unknown as Props, () => runtime.read(props as unknown as Props));
    // A blank id tells the engine the scale set is gone.
    return outs === undefined ? { id: "", props: {} as VmssIdentityOutputs } : { id, props: outs };
  },
  async update(_id, olds, news) {
    const runtime: Runtime = require("pulumi-vmss-identity/provider/runtime");
    return runtime.labelled(news as unknown as Props, () =>
      runtime.update(olds as unknown as Props, news as unknown as Props),
    );
  },
  async delete(_id, props) {
    const runtime: Runtime = require("pulumi-vmss-identity/provider/runtime");
    await runtime.labelled(props as unknown as Props, () => runtime.remove(props as unknown as Props));
  },
};
