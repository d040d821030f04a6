// Test support: an emulator on a free loopback port, a real token from its token endpoint, and small
// helpers to call ARM over real HTTP (undici) and to follow long-running operations to their end.
import { request, type Dispatcher } from "undici";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "vmss-identity-emulator";

/** Parsed JSON of a response: tests read into it freely and let assertions catch a wrong shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A parsed HTTP response. */
export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when empty. */
  body: Json;
  text: string;
}

/** Options of one ARM call. */
export interface CallOptions {
  apiVersion?: string | null;
  body?: unknown;
  /** Raw body text (sent as is, e.g. malformed JSON). */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Token to send; `null` sends no Authorization header. Default: the harness token. */
  token?: string | null;
}

/** A running emulator with a token and call helpers. */
export interface Harness {
  emulator: RunningEmulator;
  token: string;
  sub: string;
  arm(method: string, path: string, options?: CallOptions): Promise<HttpResult>;
  /** Polls an Azure-AsyncOperation URL until the status is terminal; returns the last status body. */
  waitForOperation(url: string): Promise<Json>;
  close(): Promise<void>;
}

/** Default api-version for scale-set calls in tests. */
export const LATEST = "2024-11-01";

/** Starts an emulator (http unless options say otherwise) and gets a token with the client-credentials flow. */
export async function startHarness(options: EmulatorOptions = {}, dispatcher?: Dispatcher): Promise<Harness> {
  const emulator = await startEmulator({ opDurationMs: 5, ...options });
  const send = (url: string, init: Parameters<typeof request>[1]): Promise<HttpResult> =>
    httpCall(url, { ...init, dispatcher });
  const token = await fetchToken(emulator, send);
  const harness: Harness = {
    emulator,
    token,
    sub: emulator.subscriptionId,
    arm: (method, path, callOptions = {}) => {
      const apiVersion = callOptions.apiVersion === undefined ? LATEST : callOptions.apiVersion;
      const separator = path.includes("?") ? "&" : "?";
      const url = `${emulator.url}${path}${apiVersion === null ? "" : `${separator}api-version=${apiVersion}`}`;
      const headers: Record<string, string> = { ...callOptions.headers };
      const bearer = callOptions.token === undefined ? harness.token : callOptions.token;
      if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
      let body: string | undefined = callOptions.rawBody;
      if (callOptions.body !== undefined) body = JSON.stringify(callOptions.body);
      if (body !== undefined) headers["content-type"] = "application/json";
      return send(url, { method: method as Dispatcher.HttpMethod, headers, body });
    },
    waitForOperation: async (url) => {
      for (;;) {
        const result = await send(url, { method: "GET", headers: { authorization: `Bearer ${harness.token}` } });
        if (result.status !== 200) throw new Error(`operation poll answered ${result.status}: ${result.text}`);
        if (result.body.status !== "InProgress") return result.body;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    },
    close: () => emulator.close(),
  };
  return harness;
}

/** POSTs the client-credentials form to the emulator's token endpoint; returns the access token. */
export async function fetchToken(
  emulator: RunningEmulator,
  send: (url: string, init: Parameters<typeof request>[1]) => Promise<HttpResult> = httpCall,
): Promise<string> {
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: emulator.clientId,
    client_secret: emulator.clientSecret,
    scope: "https://management.azure.com/.default",
  });
  const result = await send(emulator.tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
  if (result.status !== 200) throw new Error(`token request answered ${result.status}: ${result.text}`);
  return result.body.access_token as string;
}

/** One HTTP request; the body is always read. */
export async function httpCall(url: string, init: Parameters<typeof request>[1]): Promise<HttpResult> {
  const response = await request(url, init);
  const text = await response.body.text();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  let body: unknown;
  if (text !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  return { status: response.statusCode, headers, body, text };
}

/** Path of a resource group. */
export function groupPath(sub: string, group: string): string {
  return `/subscriptions/${sub}/resourceGroups/${group}`;
}

/** Path of a scale set. */
export function scaleSetPath(sub: string, group: string, name: string): string {
  return `${groupPath(sub, group)}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
}

/** Path of a user-assigned identity. */
export function identityPath(sub: string, group: string, name: string): string {
  return `${groupPath(sub, group)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
}

/** Identity ID the way the how-to writes it (lower-case `resourcegroups`). */
export function identityId(sub: string, group: string, name: string): string {
  return `/subscriptions/${sub}/resourcegroups/${group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
}

/** Identity ID the way Compute returns dictionary keys (canonical camel case). */
export function canonicalIdentityId(sub: string, group: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
}

/** Creates a resource group; throws unless 200/201. */
export async function createGroup(h: Harness, group: string, location = "westus"): Promise<void> {
  const result = await h.arm("PUT", groupPath(h.sub, group), { apiVersion: "2021-04-01", body: { location } });
  if (result.status !== 201 && result.status !== 200)
    throw new Error(`group PUT answered ${result.status}: ${result.text}`);
}

/** Creates a user-assigned identity; returns its body. */
export async function createIdentity(h: Harness, group: string, name: string): Promise<Json> {
  const result = await h.arm("PUT", identityPath(h.sub, group, name), {
    apiVersion: "2023-01-31",
    body: { location: "westus" },
  });
  if (result.status !== 201 && result.status !== 200)
    throw new Error(`identity PUT answered ${result.status}: ${result.text}`);
  return result.body;
}

/**
 * The scale-set PUT body of the how-to (docs/arm-behavior.md, "Enable
 * system-assigned managed identity during creation"), with the given identity (or none).
 */
export function howToScaleSetBody(sub: string, identity?: unknown): Record<string, unknown> {
  const body: Record<string, unknown> = {
    sku: { tier: "Standard", capacity: 3, name: "Standard_D1_v2" },
    location: "eastus",
    properties: {
      overprovision: true,
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
        osProfile: { computerNamePrefix: "myVMSS", adminUsername: "azureuser", adminPassword: "myPassword12" },
        networkProfile: {
          networkInterfaceConfigurations: [
            {
              name: "myVMSS",
              properties: {
                primary: true,
                enableIPForwarding: true,
                ipConfigurations: [
                  {
                    name: "myVMSS",
                    properties: {
                      subnet: {
                        id: `/subscriptions/${sub}/resourceGroups/myResourceGroup/providers/Microsoft.Network/virtualNetworks/myVnet/subnets/mySubnet`,
                      },
                    },
                  },
                ],
              },
            },
          ],
        },
      },
      upgradePolicy: { mode: "Manual" },
    },
  };
  if (identity !== undefined) body.identity = identity;
  return body;
}

/**
 * Sends a write and follows its Azure-AsyncOperation to the end; returns the write's response and the
 * final operation status.
 */
export async function writeAndWait(
  h: Harness,
  method: "PUT" | "PATCH" | "DELETE",
  path: string,
  options: CallOptions = {},
): Promise<{ response: HttpResult; operation: Json }> {
  const response = await h.arm(method, path, options);
  const url = response.headers["azure-asyncoperation"];
  if (url === undefined)
    throw new Error(`${method} ${path} answered ${response.status} without Azure-AsyncOperation: ${response.text}`);
  const operation = await h.waitForOperation(url);
  return { response, operation };
}
