// ScaleSetWithIdentity under Pulumi's runtime mocks (pulumi.runtime.setMocks): the exact child resources it
// registers and their inputs, as the engine would receive them.
//   1. The component registers itself, then `<name>-scaleset` (a ScaleSet dynamic resource), then `<name>-identity`
//      (a VmssManagedIdentity on the scale set's ID).
//   2. The mock monitor hands each registration to `newResource` (type, name, inputs with secret marks kept); a
//      wrapper around the monitor also records the raw RegisterResource requests (parent, dependencies,
//      deletedWith, additionalSecretOutputs), which `newResource` does not show.
//   3. Provider methods never run under mocks; the serialised provider (`__provider`) is in the inputs.
import { deepEqual, equal, ok } from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ScaleSetWithIdentity } from "../../components";
import { SCALE_SET_WITH_IDENTITY_OUTPUTS } from "../../components/scaleSetWithIdentity";
import { SCALE_SET_WITH_IDENTITY, schemaOf } from "../../plugin/schema";
import type { ScaleSetWithIdentityArgs } from "../../components";

const SUB = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const RG = "myResourceGroup";
const ID1 = `/subscriptions/${SUB}/resourcegroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID1`;
const SUBNET = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/myVnet/subnets/mySubnet`;
const PASSWORD = "myPassword12";
const COMPONENT_TYPE = "pulumi-vmss-identity:index:ScaleSetWithIdentity";
const SCALE_SET_TYPE = "pulumi-nodejs:dynamic/pulumi-vmss-identity:ScaleSet";
const IDENTITY_TYPE = "pulumi-nodejs:dynamic/pulumi-vmss-identity:VmssManagedIdentity";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const PRINCIPAL = "249cbddd-667e-47d7-a927-a4ae18fb422b";
const TENANT = "54826b22-38d6-4fb2-bad9-b7b93a3e9c5a";

interface Registration {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  urn: string;
  parent: string;
  dependencies: string[];
  deletedWith: string;
  additionalSecretOutputs: string[];
}

const registrations: Registration[] = [];
const pendingByName = new Map<string, { type: string; name: string; inputs: Record<string, unknown> }>();

/** The outputs a component registers, by URN. */
const registeredOutputs = new Map<string, string[]>();

/** A RegisterResourceOutputs request. */
interface RegisterOutputsRequest {
  getUrn(): string;
  getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined;
}

/** What a RegisterResource request carries beyond what `newResource` shows. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getDeletedwith(): string;
  getAdditionalsecretoutputsList(): string[];
}

before(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        const pending = { type: args.type, name: args.name, inputs };
        pendingByName.set(`${args.type}::${args.name}`, pending);
        if (args.type === SCALE_SET_TYPE) {
          const id = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${String(inputs.scaleSetName)}`;
          return {
            id,
            state: { ...inputs, provisioningState: "Succeeded", uniqueId: "6ba7b810-9dad-11d1-80b4-00c04fd430c8" },
          };
        }
        if (args.type === IDENTITY_TYPE) {
          return {
            id: `${String(inputs.scaleSetId)}#managedIdentity`,
            state: {
              ...inputs,
              principalId: PRINCIPAL,
              tenantId: TENANT,
              userIdentities: [{ id: ID1, principalId: "p1", clientId: "c1" }],
            },
          };
        }
        return { id: undefined, state: inputs };
      },
      call() {
        throw new Error("no calls expected");
      },
    },
    "project",
    "stack",
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, callback: (err: unknown, res: { getUrn(): string }) => void): Promise<void>;
    registerResourceOutputs(req: RegisterOutputsRequest, callback: (err: unknown) => void): Promise<void>;
  };
  const originalOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, callback) => {
    registeredOutputs.set(req.getUrn(), Object.keys(req.getOutputs()?.toJavaScript() ?? {}));
    return originalOutputs(req, callback);
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    original(req, (err, res) => {
      if (!err) {
        const pending = pendingByName.get(`${req.getType()}::${req.getName()}`);
        registrations.push({
          type: req.getType(),
          name: req.getName(),
          inputs: pending?.inputs ?? {},
          urn: res.getUrn(),
          parent: req.getParent(),
          dependencies: req.getDependenciesList(),
          deletedWith: req.getDeletedwith(),
          additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        });
      }
      callback(err, res);
    });
});

/** The how-to's creation recipe, as ScaleSetWithIdentity arguments. */
function howToArgs(overrides: Partial<ScaleSetWithIdentityArgs> = {}): ScaleSetWithIdentityArgs {
  return {
    subscriptionId: SUB,
    resourceGroupName: RG,
    location: "eastus",
    sku: { tier: "Standard", capacity: 3, name: "Standard_D1_v2" },
    overprovision: true,
    upgradePolicy: { mode: "Manual" },
    virtualMachineProfile: {
      storageProfile: {
        imageReference: {
          sku: "2016-Datacenter",
          publisher: "MicrosoftWindowsServer",
          version: "latest",
          offer: "WindowsServer",
        },
        osDisk: {
          caching: "ReadWrite",
          managedDisk: { storageAccountType: "StandardSSD_LRS" },
          createOption: "FromImage",
        },
      },
      osProfile: { computerNamePrefix: "myVMSS", adminUsername: "azureuser", adminPassword: PASSWORD },
      networkProfile: {
        networkInterfaceConfigurations: [
          {
            name: "myVMSS",
            properties: {
              primary: true,
              enableIPForwarding: true,
              ipConfigurations: [{ name: "myVMSS", properties: { subnet: { id: SUBNET } } }],
            },
          },
        ],
      },
    },
    systemAssigned: true,
    userAssignedIdentities: [ID1],
    ...overrides,
  };
}

/** Resolves once every child of the component has been registered and the outputs are known. */
async function built(component: ScaleSetWithIdentity): Promise<Record<string, unknown>> {
  const outputs = pulumi.output({
    scaleSetId: component.scaleSetId,
    scaleSetName: component.scaleSetName,
    principalId: component.principalId,
    tenantId: component.tenantId,
    userIdentities: component.userIdentities,
    provisioningState: component.provisioningState,
    uniqueId: component.uniqueId,
    urn: component.urn,
  });
  return new Promise((resolve) => outputs.apply((values) => resolve(values as Record<string, unknown>)));
}

function registered(name: string): Registration {
  const found = registrations.filter((r) => r.name === name);
  equal(found.length, 1, `exactly one resource named ${name}`);
  return found[0]!;
}

function withoutProvider(inputs: Record<string, unknown>): Record<string, unknown> {
  const { __provider: _provider, ...rest } = inputs;
  return rest;
}

function isSecret(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Every path at which a secret mark appears in a value. */
function secretPaths(value: unknown, path = ""): string[] {
  if (isSecret(value)) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => secretPaths(v, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => secretPaths(v, path ? `${path}.${k}` : k));
  }
  return [];
}

describe("ScaleSetWithIdentity under Pulumi's runtime mocks", () => {
  it("registers exactly the component, a ScaleSet and a VmssManagedIdentity, named after the component, children parented to it", async () => {
    const component = new ScaleSetWithIdentity("web", howToArgs());
    const outs = await built(component);

    const names = registrations.filter((r) => r.name.startsWith("web")).map((r) => [r.type, r.name]);
    deepEqual(names, [
      [COMPONENT_TYPE, "web"],
      [SCALE_SET_TYPE, "web-scaleset"],
      [IDENTITY_TYPE, "web-identity"],
    ]);
    equal(registered("web-scaleset").parent, outs.urn);
    equal(registered("web-identity").parent, outs.urn);
  });

  it("gives the ScaleSet the how-to's body as inputs, with the password moved into a secret secretProperties", async () => {
    const component = new ScaleSetWithIdentity("recipe", howToArgs());
    await built(component);
    const scaleSet = registered("recipe-scaleset");

    const { secretProperties, ...rest } = withoutProvider(scaleSet.inputs);
    deepEqual(rest, {
      subscriptionId: SUB,
      resourceGroupName: RG,
      scaleSetName: "recipe",
      location: "eastus",
      sku: { tier: "Standard", capacity: 3, name: "Standard_D1_v2" },
      overprovision: true,
      upgradePolicy: { mode: "Manual" },
      virtualMachineProfile: {
        storageProfile: {
          imageReference: {
            sku: "2016-Datacenter",
            publisher: "MicrosoftWindowsServer",
            version: "latest",
            offer: "WindowsServer",
          },
          osDisk: {
            caching: "ReadWrite",
            managedDisk: { storageAccountType: "StandardSSD_LRS" },
            createOption: "FromImage",
          },
        },
        osProfile: { computerNamePrefix: "myVMSS", adminUsername: "azureuser" },
        networkProfile: {
          networkInterfaceConfigurations: [
            {
              name: "myVMSS",
              properties: {
                primary: true,
                enableIPForwarding: true,
                ipConfigurations: [{ name: "myVMSS", properties: { subnet: { id: SUBNET } } }],
              },
            },
          ],
        },
      },
      systemAssigned: true,
      userAssignedIdentities: [ID1],
    });
    ok(isSecret(secretProperties), "secretProperties is a secret");
    deepEqual(secretProperties.value, { adminPassword: PASSWORD });
    deepEqual(secretPaths(rest), [], "nothing else is secret");
    deepEqual(scaleSet.additionalSecretOutputs, ["secretProperties", "credentials"]);
  });

  it("passes credentials to both children, each a secret input and a secret output, whatever the program gave", async () => {
    const credentials = { tenantId: TENANT, clientId: PRINCIPAL, clientSecret: "plain-in-the-program" };
    await built(new ScaleSetWithIdentity("principal", howToArgs({ credentials })));
    for (const name of ["principal-scaleset", "principal-identity"]) {
      const child = registered(name);
      ok(isSecret(child.inputs.credentials), `${name}'s credentials input is a secret`);
      deepEqual(child.inputs.credentials.value, credentials);
      ok(child.additionalSecretOutputs.includes("credentials"), `${name}'s credentials output is a secret`);
    }
  });

  it("gives the VmssManagedIdentity the scale set's ID and the same identities, silent adoption, after and with the scale set", async () => {
    const component = new ScaleSetWithIdentity("ident", howToArgs());
    const outs = await built(component);
    const scaleSet = registered("ident-scaleset");
    const child = registered("ident-identity");

    deepEqual(withoutProvider(child.inputs), {
      scaleSetId: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/ident`,
      systemAssigned: true,
      userAssignedIdentities: [ID1],
      adoption: "silent",
    });
    deepEqual(child.dependencies, [scaleSet.urn]);
    equal(child.deletedWith, scaleSet.urn);
    deepEqual(scaleSet.dependencies, []);
    deepEqual(
      { ...outs, urn: undefined },
      {
        scaleSetId: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/ident`,
        scaleSetName: "ident",
        principalId: PRINCIPAL,
        tenantId: TENANT,
        userIdentities: [{ id: ID1, principalId: "p1", clientId: "c1" }],
        provisioningState: "Succeeded",
        uniqueId: "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        urn: undefined,
      },
    );
  });

  it("has one set of output names: registered, in the plugin's schema, and the old id and name only as aliases", async () => {
    const component = new ScaleSetWithIdentity("names", howToArgs());
    const outs = await built(component);
    // registerOutputs is sent once the outputs resolve, a few turns of the event loop later.
    for (let i = 0; i < 200 && !registeredOutputs.has(outs.urn as string); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const names = [...SCALE_SET_WITH_IDENTITY_OUTPUTS].sort();
    deepEqual([...(registeredOutputs.get(outs.urn as string) ?? [])].sort(), names);
    const schema = schemaOf("0.0.0") as { resources: Record<string, { properties: object }> };
    deepEqual(Object.keys(schema.resources[SCALE_SET_WITH_IDENTITY].properties).sort(), names);
    const aliases = await new Promise<unknown[]>((resolve) =>
      pulumi.all([component.id, component.name]).apply((values) => resolve(values)),
    );
    deepEqual(aliases, [outs.scaleSetId, outs.scaleSetName]);
  });

  it("keeps the rest of the profile non-secret when the password is a Pulumi secret inside a plain object", async () => {
    const base = howToArgs({ systemAssigned: undefined, userAssignedIdentities: undefined });
    const profile = base.virtualMachineProfile as Record<string, unknown>;
    const osProfile = profile.osProfile as Record<string, unknown>;
    const args = {
      ...base,
      virtualMachineProfile: { ...profile, osProfile: { ...osProfile, adminPassword: pulumi.secret(PASSWORD) } },
    };
    await built(new ScaleSetWithIdentity("secretpw", args));
    const { secretProperties, ...rest } = withoutProvider(registered("secretpw-scaleset").inputs);

    deepEqual(secretPaths(rest), []);
    ok(isSecret(secretProperties));
    deepEqual(secretProperties.value, { adminPassword: PASSWORD });
    deepEqual(withoutProvider(registered("secretpw-identity").inputs), {
      scaleSetId: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/secretpw`,
      adoption: "silent",
    });
  });

  it("moves customData and named extensions' protectedSettings into secretProperties, also from an Output profile", async () => {
    const base = howToArgs();
    const profile = base.virtualMachineProfile as Record<string, unknown>;
    // The whole profile arrives as one (non-secret) Output, as when a program builds it in an apply.
    const args = { ...base };
    (args as { virtualMachineProfile: unknown }).virtualMachineProfile = pulumi.output({
      ...profile,
      osProfile: {
        computerNamePrefix: "myVMSS",
        adminUsername: "azureuser",
        adminPassword: PASSWORD,
        customData: "I2Nsb3VkLWNvbmZpZw==",
      },
      extensionProfile: {
        extensions: [
          {
            name: "health",
            properties: {
              publisher: "Microsoft.ManagedServices",
              type: "ApplicationHealthWindows",
              settings: { port: 80 },
            },
          },
          {
            name: "script",
            properties: {
              publisher: "Microsoft.Compute",
              type: "CustomScriptExtension",
              protectedSettings: { commandToExecute: "setup.cmd s3cr3t" },
            },
          },
        ],
      },
    }) as ScaleSetWithIdentityArgs["virtualMachineProfile"];
    await built(new ScaleSetWithIdentity("outprofile", args));
    const { secretProperties, virtualMachineProfile } = withoutProvider(registered("outprofile-scaleset").inputs);

    ok(isSecret(secretProperties));
    deepEqual(secretProperties.value, {
      adminPassword: PASSWORD,
      customData: "I2Nsb3VkLWNvbmZpZw==",
      protectedSettings: { script: { commandToExecute: "setup.cmd s3cr3t" } },
    });
    const text = JSON.stringify(virtualMachineProfile);
    for (const secret of [PASSWORD, "I2Nsb3VkLWNvbmZpZw==", "s3cr3t"]) equal(text.includes(secret), false, secret);
    deepEqual((virtualMachineProfile as { extensionProfile: unknown }).extensionProfile, {
      extensions: [
        {
          name: "health",
          properties: {
            publisher: "Microsoft.ManagedServices",
            type: "ApplicationHealthWindows",
            settings: { port: 80 },
          },
        },
        { name: "script", properties: { publisher: "Microsoft.Compute", type: "CustomScriptExtension" } },
      ],
    });
  });

  it("defaults scaleSetName to the component's name and subscriptionId to AZURE_SUBSCRIPTION_ID", async () => {
    const saved = process.env.AZURE_SUBSCRIPTION_ID;
    process.env.AZURE_SUBSCRIPTION_ID = "11111111-2222-3333-4444-555555555555";
    try {
      await built(new ScaleSetWithIdentity("defaults", howToArgs({ subscriptionId: undefined })));
    } finally {
      if (saved === undefined) delete process.env.AZURE_SUBSCRIPTION_ID;
      else process.env.AZURE_SUBSCRIPTION_ID = saved;
    }
    const inputs = registered("defaults-scaleset").inputs;
    equal(inputs.scaleSetName, "defaults");
    equal(inputs.subscriptionId, "11111111-2222-3333-4444-555555555555");
  });

  it("serialises a small provider that loads its code by package name and carries no secret", async () => {
    await built(new ScaleSetWithIdentity("serialised", howToArgs()));
    const provider = registered("serialised-scaleset").inputs.__provider;
    equal(typeof provider, "string");
    const text = provider as string;
    ok(text.includes('require("pulumi-vmss-identity/components/runtime")'), "loads the runtime by package name");
    equal(text.includes(PASSWORD), false);
    ok(text.length < 4000, `serialised provider is ${text.length} characters`);
  });
});
