/** clientEnv(): what a child process needs to use a running emulator as its Azure. */
import assert from "node:assert/strict";
import { startEmulator } from "vmss-identity-emulator";

describe("emulator clientEnv", () => {
  it("names the endpoint, authority, service principal and subscription, and the CA only with tls", async () => {
    const plain = await startEmulator();
    try {
      assert.deepEqual(plain.clientEnv(), {
        VMSS_IDENTITY_ARM_ENDPOINT: plain.url,
        AZURE_AUTHORITY_HOST: plain.url,
        AZURE_TENANT_ID: plain.tenantId,
        AZURE_CLIENT_ID: plain.clientId,
        AZURE_CLIENT_SECRET: plain.clientSecret,
        AZURE_SUBSCRIPTION_ID: plain.subscriptionId,
      });
    } finally {
      await plain.close();
    }
    const tls = await startEmulator({ tls: true });
    try {
      assert.equal(tls.clientEnv().NODE_EXTRA_CA_CERTS, tls.caPath);
      assert.match(tls.clientEnv().VMSS_IDENTITY_ARM_ENDPOINT, /^https:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await tls.close();
    }
  });
});
