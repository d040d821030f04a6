/**
 * `Construct` of `vmss-identity:index:ScaleSetWithIdentity`: the component is built inside the plugin process, which
 * registers its children with the engine's resource monitor as a program would. It is the one `ScaleSetWithIdentity`
 * class of components/scaleSetWithIdentity.ts, with the same wiring and the same outputs; only its children are the
 * plugin's own resources (`ScaleSet`, `VmssManagedIdentity`) instead of the dynamic ones, because a dynamic resource
 * needs the program's own Node.js modules, which a YAML or Python program does not have.
 *
 * The runtime set-up follows what the SDK's `provider.main` does for Construct (pulumi/pulumi
 * sdk/nodejs/provider/server.ts): settings from the request, the stack's configuration, inputs deserialised with
 * their dependencies and secrets, the state serialised with its dependencies.
 */
import * as pulumi from "@pulumi/pulumi";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import type { ScaleSet } from "../components/scaleSet";
import {
  type IdentityChildOutputs,
  ScaleSetWithIdentity,
  type ScaleSetChildOutputs,
  type ScaleSetWithIdentityChildren,
  outputsOf,
} from "../components/scaleSetWithIdentity";
import type { VmssManagedIdentity } from "../provider/vmssManagedIdentity";
import { structproto } from "./pulumiDeps";
import type { ScaleSetWithIdentityArgs } from "../components/scaleSetArgs";
import { SCALE_SET, SCALE_SET_WITH_IDENTITY, VMSS_MANAGED_IDENTITY } from "./schema";

// Internal modules of @pulumi/pulumi (no type declarations): the pieces the SDK's own Construct uses.
const settings = require("@pulumi/pulumi/runtime/settings") as {
  resetOptions(...a: unknown[]): void;
  awaitFeatureSupport(): Promise<void>;
  waitForRPCs(): Promise<void>;
};
const config = require("@pulumi/pulumi/runtime/config") as {
  setAllConfig(c: Record<string, string>, secretKeys?: string[]): void;
};
const rpc = require("@pulumi/pulumi/runtime/rpc") as {
  serializeResourceProperties(
    label: string,
    props: object,
  ): Promise<[Record<string, unknown>, Map<string, Set<pulumi.Resource>>]>;
};
const state = require("@pulumi/pulumi/runtime/state") as { withLocalStorage<T>(f: () => Promise<T>): Promise<T> };
const { deserializeInputs } = require("@pulumi/pulumi/provider/server") as {
  deserializeInputs(inputs: unknown, deps: unknown): Promise<Record<string, unknown>>;
};

/** A resource of this plugin registered from inside it; its outputs are the properties it was given. */
class PluginResource extends pulumi.CustomResource {
  constructor(type: string, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super(type, name, props, opts);
  }
}

/** The plugin's scale set child: it declares the outputs the component reads, so the engine fills them in. */
class PluginScaleSet extends PluginResource implements ScaleSetChildOutputs {
  declare readonly id: ScaleSetChildOutputs["id"];
  declare readonly scaleSetName: ScaleSetChildOutputs["scaleSetName"];
  declare readonly provisioningState: ScaleSetChildOutputs["provisioningState"];
  declare readonly uniqueId: ScaleSetChildOutputs["uniqueId"];
}

/** The plugin's identity child, likewise. */
class PluginIdentity extends PluginResource implements IdentityChildOutputs {
  declare readonly principalId: IdentityChildOutputs["principalId"];
  declare readonly tenantId: IdentityChildOutputs["tenantId"];
  declare readonly userIdentities: IdentityChildOutputs["userIdentities"];
}

/**
 * The component's children in the plugin: its own resources, with the outputs the component reads declared (absent
 * in the inputs) so that the engine fills them in. They stand in for the dynamic classes the component's fields are
 * typed with; the plugin reads only their outputs, never hands the component to a program.
 */
const PLUGIN_CHILDREN: ScaleSetWithIdentityChildren = {
  type: SCALE_SET_WITH_IDENTITY,
  scaleSet(name, args, opts) {
    const { secretProperties, ...body } = args;
    const child = new PluginScaleSet(
      SCALE_SET,
      name,
      {
        ...body,
        secretProperties: secretProperties === undefined ? undefined : pulumi.secret(secretProperties),
        provisioningState: undefined,
        uniqueId: undefined,
      },
      { ...opts, additionalSecretOutputs: ["secretProperties"] },
    );
    // The component's field is typed with the dynamic class; it reads only ScaleSetChildOutputs of it.
    return child satisfies ScaleSetChildOutputs as unknown as ScaleSet;
  },
  identity(name, args, opts) {
    const child = new PluginIdentity(
      VMSS_MANAGED_IDENTITY,
      name,
      { ...args, principalId: undefined, tenantId: undefined, userIdentities: undefined },
      opts,
    );
    return child satisfies IdentityChildOutputs as unknown as VmssManagedIdentity;
  },
};

/** Serves one ConstructRequest. */
export function construct(
  req: provproto.ConstructRequest,
  engineAddress: string,
): Promise<provproto.ConstructResponse> {
  return state.withLocalStorage(async () => {
    const type = req.getType();
    if (type !== SCALE_SET_WITH_IDENTITY) {
      throw new Error(
        `unknown component type ${JSON.stringify(type)}: vmss-identity serves ${SCALE_SET_WITH_IDENTITY}`,
      );
    }
    settings.resetOptions(
      req.getProject(),
      req.getStack(),
      req.getParallel(),
      engineAddress,
      req.getMonitorendpoint(),
      req.getDryrun(),
      req.getOrganization(),
    );
    await settings.awaitFeatureSupport();
    config.setAllConfig(Object.fromEntries(req.getConfigMap().entries()), req.getConfigsecretkeysList());
    const inputs = await deserializeInputs(req.getInputs(), req.getInputdependenciesMap());

    const providers: Record<string, pulumi.ProviderResource> = {};
    req.getProvidersMap().forEach((ref, pkg) => (providers[pkg] = new pulumi.DependencyProviderResource(ref)));
    const opts: pulumi.ComponentResourceOptions = {
      parent: req.getParent() ? new pulumi.DependencyResource(req.getParent()) : undefined,
      dependsOn: req.getDependenciesList().map((urn) => new pulumi.DependencyResource(urn)),
      protect: req.getProtect(),
      providers,
    };
    const component = new ScaleSetWithIdentity(
      req.getName(),
      inputs as unknown as ScaleSetWithIdentityArgs,
      opts,
      PLUGIN_CHILDREN,
    );

    const resp = new provproto.ConstructResponse();
    resp.setUrn(await new Promise<string>((resolve) => component.urn.apply(resolve)));
    const [serialised, dependencies] = await rpc.serializeResourceProperties(
      `construct(${type}, ${req.getName()})`,
      outputsOf(component),
    );
    const map = resp.getStatedependenciesMap();
    for (const [key, resources] of dependencies) {
      const deps = new provproto.ConstructResponse.PropertyDependencies();
      deps.setUrnsList(await Promise.all([...resources].map((r) => new Promise<string>((ok) => r.urn.apply(ok)))));
      map.set(key, deps);
    }
    resp.setState(structproto.Struct.fromJavaScript(serialised) as never);
    await settings.waitForRPCs();
    return resp;
  });
}
