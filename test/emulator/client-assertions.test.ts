// Client assertions at the emulator's token endpoint: federated tokens from the emulator's OIDC issuer (discovery,
// JWKS, GitHub-style request URL) and certificate-signed assertions, and Entra ID's refusals for each way an
// assertion can be wrong (docs/emulator.md, "Client assertions").
import assert from "node:assert/strict";
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  X509Certificate,
} from "node:crypto";
import { createClientCertificate, type CertificateWithKey } from "vmss-identity-emulator";
import { httpCall, startHarness, type Harness } from "./support/harness";

const FEDERATED_APP = "44444444-4444-4444-8444-444444444444";
const CERT_APP = "55555555-5555-4555-8555-555555555555";
const SUBJECT = "repo:contoso/infra:ref:refs/heads/main";
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

describe("emulator: client assertions (federated and certificate credentials)", function () {
  let h: Harness;
  let cert: CertificateWithKey;
  let otherCert: CertificateWithKey;
  let issuer: string;

  before(async function () {
    [cert, otherCert] = await Promise.all([createClientCertificate("app cert"), createClientCertificate("other")]);
    h = await startHarness({});
    issuer = h.emulator.admin.oidcIssuerUrl();
    h.emulator.admin.registerApplication({
      clientId: FEDERATED_APP,
      federatedCredentials: [{ issuer, subject: SUBJECT }],
    });
    h.emulator.admin.registerApplication({ clientId: CERT_APP, certificates: [cert.certPem] });
  });

  after(async function () {
    await h.close();
  });

  const tokenUrl = () => `${h.emulator.url}/${h.emulator.tenantId}/oauth2/v2.0/token`;

  function assertionRequest(clientId: string, assertion: string) {
    return httpCall(tokenUrl(), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: clientId,
        client_assertion_type: JWT_BEARER,
        client_assertion: assertion,
        scope: "https://management.azure.com/.default",
      }).toString(),
    });
  }

  async function refusedWith(clientId: string, assertion: string, code: number, text: RegExp) {
    const result = await assertionRequest(clientId, assertion);
    assert.ok(result.status === 400 || result.status === 401, `status ${result.status}`);
    assert.deepEqual(result.body.error_codes, [code]);
    assert.match(result.body.error_description, new RegExp(`^AADSTS${code}: `));
    assert.match(result.body.error_description, text);
    assert.equal(result.body.access_token, undefined);
  }

  function certificateAssertion(
    signer: CertificateWithKey,
    claims: Record<string, unknown> = {},
    header: Record<string, unknown> = {},
  ): string {
    const x509 = new X509Certificate(signer.certPem);
    const now = Math.floor(Date.now() / 1000);
    const head = {
      alg: "RS256",
      typ: "JWT",
      "x5t#S256": createHash("sha256").update(x509.raw).digest("base64url"),
      ...header,
    };
    const body = { aud: tokenUrl(), iss: CERT_APP, sub: CERT_APP, jti: "j", nbf: now, exp: now + 600, ...claims };
    const unsigned = `${b64(head)}.${b64(body)}`;
    return `${unsigned}.${sign("sha256", Buffer.from(unsigned), createPrivateKey(signer.keyPem)).toString("base64url")}`;
  }

  it("serves the issuer's discovery document and JWKS, and a request URL that mints a verifiable token", async function () {
    const config = await httpCall(`${issuer}/.well-known/openid-configuration`, { method: "GET" });
    assert.equal(config.status, 200);
    assert.equal(config.body.issuer, issuer);
    const jwks = await httpCall(config.body.jwks_uri, { method: "GET" });
    assert.equal(jwks.status, 200);

    const requestToken = h.emulator.admin.oidcRequestToken(SUBJECT);
    const refused = await httpCall(`${issuer}/token?audience=api://AzureADTokenExchange`, {
      method: "GET",
      headers: { authorization: "Bearer not-a-request-token" },
    });
    assert.equal(refused.status, 401);
    const minted = await httpCall(`${issuer}/token?api-version=2.0&audience=api://AzureADTokenExchange`, {
      method: "GET",
      headers: { authorization: `Bearer ${requestToken}` },
    });
    assert.equal(minted.status, 200);
    const [head, payload, signature] = (minted.body.value as string).split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    assert.deepEqual([claims.iss, claims.sub, claims.aud], [issuer, SUBJECT, "api://AzureADTokenExchange"]);
    const { kid } = JSON.parse(Buffer.from(head, "base64url").toString());
    const jwk = jwks.body.keys.find((k: { kid: string }) => k.kid === kid);
    const ok = verify(
      "sha256",
      Buffer.from(`${head}.${payload}`),
      createPublicKey({ key: jwk, format: "jwk" }),
      Buffer.from(signature, "base64url"),
    );
    assert.equal(ok, true, "the JWKS verifies the minted token");

    const token = await assertionRequest(FEDERATED_APP, minted.body.value);
    assert.equal(token.status, 200);
    const access = JSON.parse(Buffer.from(token.body.access_token.split(".")[1], "base64url").toString());
    assert.equal(access.appid, FEDERATED_APP, "the token is the federated application's");
  });

  it("refuses federated tokens with a wrong audience, subject or issuer, expired, tampered or unsigned", async function () {
    const admin = h.emulator.admin;
    await refusedWith(
      FEDERATED_APP,
      admin.mintOidcToken({ subject: SUBJECT, audience: "api://other" }),
      700213,
      /^AADSTS700213: No matching federated identity record found for presented assertion subject '[^']+'\. Check your federated identity credential Subject, Audience and Issuer/,
    );
    await refusedWith(
      FEDERATED_APP,
      admin.mintOidcToken({ subject: "repo:contoso/other:ref:refs/heads/main" }),
      700213,
      /presented assertion subject 'repo:contoso\/other:ref:refs\/heads\/main'/,
    );
    const now = Math.floor(Date.now() / 1000);
    await refusedWith(
      FEDERATED_APP,
      admin.mintOidcToken({ subject: SUBJECT, issuedAt: now - 3600, lifetimeSeconds: 300 }),
      700024,
      /Client assertion is not within its valid time range/,
    );
    const good = admin.mintOidcToken({ subject: SUBJECT });
    const [head, payload, signature] = good.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const tampered = `${head}.${b64({ ...claims, exp: claims.exp + 1 })}.${signature}`;
    await refusedWith(FEDERATED_APP, tampered, 700027, /Client assertion failed signature validation/);
    await refusedWith(
      FEDERATED_APP,
      `${b64({ alg: "none", typ: "JWT" })}.${payload}.`,
      50027,
      /JWT token is invalid or malformed/,
    );
    await refusedWith(FEDERATED_APP, "not-a-jwt", 50027, /JWT token is invalid or malformed/);
    // A token from an issuer the app has no federated credential for, signed by a key the emulator does not know.
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const foreign = `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ ...claims, iss: "https://token.example.com" })}`;
    await refusedWith(
      FEDERATED_APP,
      `${foreign}.${sign("sha256", Buffer.from(foreign), stranger).toString("base64url")}`,
      700213,
      /No matching federated identity record found/,
    );
    await refusedWith("66666666-6666-4666-8666-666666666666", good, 700016, /Application with identifier/);
  });

  it("accepts an assertion signed by a registered certificate, and refuses another certificate, audience or expiry", async function () {
    const ok = await assertionRequest(CERT_APP, certificateAssertion(cert));
    assert.equal(ok.status, 200);
    const sha1 = await assertionRequest(
      CERT_APP,
      certificateAssertion(
        cert,
        {},
        {
          "x5t#S256": undefined,
          x5t: createHash("sha1").update(new X509Certificate(cert.certPem).raw).digest("base64url"),
        },
      ),
    );
    assert.equal(sha1.status, 200, "an x5t (SHA-1) header is accepted too");
    await refusedWith(
      CERT_APP,
      certificateAssertion(otherCert),
      700027,
      /The certificate with identifier used to sign the client assertion is not registered on application/,
    );
    await refusedWith(
      CERT_APP,
      certificateAssertion(cert, { aud: "https://login.example.com/token" }),
      700212,
      /audience/,
    );
    const past = Math.floor(Date.now() / 1000) - 3600;
    await refusedWith(CERT_APP, certificateAssertion(cert, { nbf: past - 600, exp: past }), 700024, /valid time range/);
  });

  it("serves the same controls over the admin HTTP API, refusing bad input without a change", async function () {
    const admin = (method: string, path: string, body?: unknown) =>
      httpCall(`${h.emulator.url}/_emulator${path}`, {
        method,
        headers: { "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    assert.deepEqual((await admin("GET", "/oidc/issuer")).body, { issuer });
    const http = "77777777-7777-4777-8777-777777777777";
    assert.equal(
      (await admin("POST", "/applications", { clientId: http, federatedCredentials: [{ issuer, subject: "s" }] }))
        .status,
      204,
    );
    const { requestToken } = (await admin("POST", "/oidc/request-tokens", { subject: "s" })).body;
    const minted = await httpCall(`${issuer}/token`, {
      method: "GET",
      headers: { authorization: `Bearer ${requestToken}` },
    });
    assert.equal((await assertionRequest(http, minted.body.value)).status, 200);
    const { token } = (await admin("POST", "/oidc/tokens", { subject: "s", audience: "api://other" })).body;
    await refusedWith(
      http,
      token,
      700213,
      /No matching federated identity record found for presented assertion subject 's'/,
    );
    const bad = await admin("POST", "/applications", { clientId: "x", certificates: ["not a certificate"] });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /application\.certificates\[0\]: expected a PEM certificate/);
    assert.equal((await admin("POST", "/oidc/tokens", { subject: "s", issuedAt: "yesterday" })).status, 400);
  });

  it("serves an App Service-style managed identity endpoint that checks its header, api-version and resource", async function () {
    const msi = h.emulator.admin.managedIdentityEndpoint();
    const ask = (query: string, header = msi.header) =>
      httpCall(`${msi.endpoint}?${query}`, { method: "GET", headers: { "x-identity-header": header } });
    const ok = await ask("api-version=2019-08-01&resource=https://management.azure.com/");
    assert.equal(ok.status, 200);
    assert.equal(ok.body.client_id, msi.clientId);
    assert.match(ok.body.expires_on, /^\d+$/);
    assert.equal((await ask("api-version=2019-08-01&resource=https://management.azure.com/", "wrong")).status, 401);
    assert.equal((await ask("api-version=2017-09-01&resource=https://management.azure.com/")).status, 400);
    assert.equal((await ask("api-version=2019-08-01&resource=https://vault.azure.net")).status, 400);
    const user = await ask(`api-version=2019-08-01&resource=https://management.azure.com/&client_id=${CERT_APP}`);
    assert.equal(user.body.client_id, CERT_APP, "a user-assigned identity by client_id");
    assert.equal(
      (await ask("api-version=2019-08-01&resource=https://management.azure.com/&client_id=nobody")).status,
      400,
    );
  });
});
