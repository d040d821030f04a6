/**
 * The dynamic door's explicit principal: a `credentials` argument on `VmssManagedIdentity` and `ArmResource`, with the
 * settings the plugin's provider configuration takes (`clientId`, `tenantId`, `clientSecret`, `useOidc`, …, named as
 * azure-native names them; provider/grammar/settings.ts parses them). A dynamic resource has no provider of its own
 * to configure, so the settings travel as an input: the whole object is made a Pulumi secret (and a secret output), so
 * neither the state's inputs nor its outputs hold any of it in clear, and the serialised provider captures none of it.
 * When set, the environment's credential variables are not read for that resource (explicit credentials are complete
 * on their own); two resources with two principals get two clients, each with its own token cache.
 */
import * as pulumi from "@pulumi/pulumi";
import type { CredentialSettings } from "./grammar/settings";

/** Explicit credentials of one dynamic resource (see the module comment). Every property is optional. */
export type VmssIdentityCredentials = {
  readonly [K in keyof CredentialSettings]?: pulumi.Input<NonNullable<CredentialSettings[K]>>;
};

/** The `credentials` input as the resources pass it to the engine: always a secret. */
export function secretCredentials(
  value: pulumi.Input<VmssIdentityCredentials> | undefined,
): pulumi.Output<unknown> | undefined {
  return value === undefined ? undefined : pulumi.secret(value);
}

/** Resource options with `credentials` added to the secret outputs. */
export function withSecretCredentials(opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
  return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "credentials"] };
}
