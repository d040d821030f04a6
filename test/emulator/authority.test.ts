// The Entra ID side of the emulator (OpenID documents, client-credentials token endpoint) and ARM's
// 401s for missing, malformed, unknown, revoked and expired tokens (docs/arm-behavior.md, "Tokens").
import assert from "node:assert/strict";
import { fetchToken, httpCall, startHarness, type Harness } from "./support/harness";

describe("emulator: tokens and authentication", function () {
  let h: Harness;

  before(async function () {
    h = await startHarness({
      clientId: "app-1",
      clientSecret: "s3cr3t-value",
      tenantId: "aaaaaaaa-0000-4000-8000-000000000001",
    });
  });

  afterEach(function () {
    h.emulator.admin.reset();
  });

  after(async function () {
    await h.close();
  });

  function tokenRequest(
    form: Record<string, string>,
    path = `/${h.emulator.tenantId}/oauth2/v2.0/token`,
    headers: Record<string, string> = {},
  ) {
    return httpCall(`${h.emulator.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form).toString(),
    });
  }

  const good = (): Record<string, string> => ({
    grant_type: "client_credentials",
    client_id: "app-1",
    client_secret: "s3cr3t-value",
    scope: "https://management.azure.com/.default",
  });

  it("serves the OpenID configuration at /<tenant>/v2.0/.well-known and /<tenant>/.well-known with the fields MSAL reads", async function () {
    for (const [path, tokenPath] of [
      [`/${h.emulator.tenantId}/v2.0/.well-known/openid-configuration`, "/oauth2/v2.0/token"],
      [`/${h.emulator.tenantId}/.well-known/openid-configuration`, "/oauth2/token"],
    ]) {
      const result = await httpCall(`${h.emulator.url}${path}`, { method: "GET" });
      assert.equal(result.status, 200, path);
      assert.equal(result.body.token_endpoint, `${h.emulator.url}/${h.emulator.tenantId}${tokenPath}`);
      for (const field of ["issuer", "authorization_endpoint", "jwks_uri", "end_session_endpoint"]) {
        assert.equal(typeof result.body[field], "string", `${path}: ${field}`);
      }
    }
    const other = await httpCall(`${h.emulator.url}/other-tenant/v2.0/.well-known/openid-configuration`, {
      method: "GET",
    });
    assert.equal(other.status, 400);
    assert.equal(other.body.error, "invalid_tenant");
  });

  it("issues a bearer token for client_credentials and ignores the extra fields MSAL sends", async function () {
    const result = await tokenRequest(
      {
        ...good(),
        client_info: "1",
        claims: '{"access_token":{}}',
        "x-client-SKU": "msal.js.node",
        "x-client-VER": "2.0",
      },
      `/${h.emulator.tenantId}/oauth2/v2.0/token?client-request-id=abc`,
      { "client-request-id": "req-1" },
    );
    assert.equal(result.status, 200, result.text);
    assert.deepEqual(Object.keys(result.body).sort(), ["access_token", "expires_in", "ext_expires_in", "token_type"]);
    assert.equal(result.body.token_type, "Bearer");
    assert.equal(result.body.expires_in, 3600);
    assert.equal(result.headers["client-request-id"], "req-1");
    assert.equal(result.body.access_token.split(".").length, 3, "JWT-shaped");
    const claims = JSON.parse(Buffer.from(result.body.access_token.split(".")[1], "base64url").toString());
    assert.equal(claims.appid, "app-1");
    assert.equal(claims.tid, h.emulator.tenantId);
    assert.equal(claims.aud, "https://management.azure.com/");
  });

  it("accepts client_secret_basic, the emulator's own URL as scope, and the v1 endpoint with resource", async function () {
    const basic = Buffer.from("app-1:s3cr3t-value").toString("base64");
    const { client_id: _id, client_secret: _secret, ...form } = good();
    const viaBasic = await tokenRequest({ ...form, scope: `${h.emulator.url}/.default` }, undefined, {
      authorization: `Basic ${basic}`,
    });
    assert.equal(viaBasic.status, 200, viaBasic.text);
    const v1 = await tokenRequest(
      {
        grant_type: "client_credentials",
        client_id: "app-1",
        client_secret: "s3cr3t-value",
        resource: "https://management.core.windows.net/",
      },
      `/${h.emulator.tenantId}/oauth2/token`,
    );
    assert.equal(v1.status, 200, v1.text);
    assert.equal(v1.body.resource, "https://management.core.windows.net/");
    assert.equal(v1.body.expires_in, "3600");
  });

  it("a wrong secret is 401 invalid_client (AADSTS7000215) and never echoes the secret", async function () {
    const result = await tokenRequest({ ...good(), client_secret: "wrong-secret-123" });
    assert.equal(result.status, 401);
    assert.equal(result.body.error, "invalid_client");
    assert.deepEqual(result.body.error_codes, [7000215]);
    assert.match(result.body.error_description, /^AADSTS7000215: Invalid client secret provided\./);
    assert.ok(!result.text.includes("wrong-secret-123") && !result.text.includes("s3cr3t-value"));
  });

  it("rejects other token requests with Entra ID's errors", async function () {
    const cases: [Record<string, string>, number, string, number][] = [
      [{ ...good(), grant_type: "password" }, 400, "unsupported_grant_type", 70003],
      [{ ...good(), client_id: "someone-else" }, 400, "unauthorized_client", 700016],
      [{ ...good(), client_secret: "" }, 401, "invalid_client", 7000218],
      [{ ...good(), scope: "https://graph.microsoft.com/.default" }, 400, "invalid_resource", 500011],
      [{ ...good(), scope: "https://management.azure.com/user_impersonation" }, 400, "invalid_scope", 1002012],
    ];
    for (const [form, status, error, code] of cases) {
      const result = await tokenRequest(form);
      assert.equal(result.status, status, JSON.stringify(form));
      assert.equal(result.body.error, error);
      assert.deepEqual(result.body.error_codes, [code]);
    }
    const log = h.emulator.admin.requests().filter((entry) => entry.kind === "token");
    assert.equal(log.length, cases.length);
    assert.ok(log.every((entry) => entry.status >= 400));
  });

  describe("ARM calls", function () {
    const path = (): string => `/subscriptions/${h.sub}/resourcegroups`;

    it("without Authorization: 401 AuthenticationFailed with a WWW-Authenticate challenge naming the authority", async function () {
      const result = await h.arm("GET", path(), { token: null, apiVersion: "2021-04-01" });
      assert.equal(result.status, 401);
      assert.equal(result.body.error.code, "AuthenticationFailed");
      assert.equal(result.body.error.message, "Authentication failed. The 'Authorization' header is missing.");
      assert.equal(
        result.headers["www-authenticate"],
        `Bearer authorization_uri="${h.emulator.url}/${h.emulator.tenantId}", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."`,
      );
    });

    it("a token the emulator did not issue: 401 InvalidAuthenticationToken", async function () {
      const forged = h.token.slice(0, -4) + (h.token.endsWith("AAAA") ? "BBBB" : "AAAA");
      for (const token of [forged, "not-a-jwt"]) {
        const result = await h.arm("GET", path(), { token, apiVersion: "2021-04-01" });
        assert.equal(result.status, 401);
        assert.equal(result.body.error.code, "InvalidAuthenticationToken");
        assert.match(result.headers["www-authenticate"], /^Bearer authorization_uri="/);
      }
      const basic = await h.arm("GET", path(), {
        token: null,
        apiVersion: "2021-04-01",
        headers: { authorization: "Basic eDp5" },
      });
      assert.equal(basic.status, 401);
      assert.equal(basic.body.error.code, "AuthenticationFailed");
    });

    it("expireTokens: 401 ExpiredAuthenticationToken with ARM's message; a new token works", async function () {
      h.emulator.admin.expireTokens();
      const result = await h.arm("GET", path(), { apiVersion: "2021-04-01" });
      assert.equal(result.status, 401);
      assert.equal(result.body.error.code, "ExpiredAuthenticationToken");
      assert.match(
        result.body.error.message,
        /^The access token expiry UTC time '\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M' is earlier than current UTC time '\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M'\.$/,
      );
      h.token = await fetchToken(h.emulator);
      assert.equal((await h.arm("GET", path(), { apiVersion: "2021-04-01" })).status, 200);
    });

    it("revokeTokens: 401 InvalidAuthenticationToken for tokens issued before", async function () {
      h.emulator.admin.revokeTokens();
      const result = await h.arm("GET", path(), { apiVersion: "2021-04-01" });
      assert.equal(result.status, 401);
      assert.equal(result.body.error.code, "InvalidAuthenticationToken");
      h.token = await fetchToken(h.emulator);
      assert.equal((await h.arm("GET", path(), { apiVersion: "2021-04-01" })).status, 200);
    });

    it("a token past its lifetime is 401 ExpiredAuthenticationToken", async function () {
      const short = await startHarness({ tokenLifetimeSeconds: 1 });
      try {
        // Wait for the clock, not for a duration: the token's exp is whole seconds.
        const exp = JSON.parse(Buffer.from(short.token.split(".")[1], "base64url").toString()).exp as number;
        while (Date.now() < exp * 1000) await new Promise((resolve) => setTimeout(resolve, 50));
        const result = await short.arm("GET", `/subscriptions/${short.sub}/resourcegroups`, {
          apiVersion: "2021-04-01",
        });
        assert.equal(result.status, 401);
        assert.equal(result.body.error.code, "ExpiredAuthenticationToken");
      } finally {
        await short.close();
      }
    });

    it("the request log names the token's client on ARM calls and never holds the token", async function () {
      await h.arm("GET", path(), { apiVersion: "2021-04-01" });
      const entries = h.emulator.admin.requests();
      const last = entries[entries.length - 1];
      assert.equal(last.clientId, "app-1");
      assert.equal(last.apiVersion, "2021-04-01");
      assert.ok(!JSON.stringify(entries).includes(h.token));
    });
  });

  it("serves the AD FS authority <url>/adfs (the Azure CLI's offline login): its discovery document and token endpoint", async function () {
    const config = await httpCall(`${h.emulator.url}/adfs/.well-known/openid-configuration`, { method: "GET" });
    assert.equal(config.status, 200, config.text);
    assert.equal(config.body.issuer, `${h.emulator.url}/adfs`);
    assert.equal(config.body.token_endpoint, `${h.emulator.url}/adfs/oauth2/token/`);
    assert.equal(config.body.authorization_endpoint, `${h.emulator.url}/adfs/oauth2/authorize/`);
    // MSAL Python sends scope=<resource>/.default; AD FS also takes resource=.
    const scoped = await tokenRequest(good(), "/adfs/oauth2/token/");
    assert.equal(scoped.status, 200, scoped.text);
    assert.deepEqual(Object.keys(scoped.body).sort(), ["access_token", "expires_in", "token_type"]);
    const { scope: _scope, ...withoutScope } = good();
    const withResource = await tokenRequest(
      { ...withoutScope, resource: "https://management.azure.com/" },
      "/adfs/oauth2/token",
    );
    assert.equal(withResource.status, 200, withResource.text);
    const arm = await httpCall(`${h.emulator.url}/subscriptions?api-version=2022-12-01`, {
      method: "GET",
      headers: { authorization: `Bearer ${withResource.body.access_token}` },
    });
    assert.equal(arm.status, 200);
    const wrong = await tokenRequest({ ...good(), client_secret: "nope" }, "/adfs/oauth2/token");
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, "invalid_client");
    // /adfs/v2.0/… is an Entra ID path, where "adfs" is no tenant.
    const v2 = await httpCall(`${h.emulator.url}/adfs/v2.0/.well-known/openid-configuration`, { method: "GET" });
    assert.equal(v2.status, 400);
    assert.equal(v2.body.error, "invalid_tenant");
  });

  it("accepts the tenant's default domain in place of its ID, as Entra ID does", async function () {
    const domain = "emulator.onmicrosoft.com";
    const config = await httpCall(`${h.emulator.url}/${domain}/v2.0/.well-known/openid-configuration`, {
      method: "GET",
    });
    assert.equal(config.status, 200, config.text);
    assert.equal(config.body.token_endpoint, `${h.emulator.url}/${h.emulator.tenantId}/oauth2/v2.0/token`);
    const token = await tokenRequest(good(), `/${domain.toUpperCase()}/oauth2/v2.0/token`);
    assert.equal(token.status, 200, token.text);
    const other = await tokenRequest(good(), "/contoso.onmicrosoft.com/oauth2/v2.0/token");
    assert.equal(other.status, 400);
    assert.equal(other.body.error, "invalid_tenant");
  });

  it("serves ARM's cloud metadata document without a token, naming the AD FS authority", async function () {
    const result = await httpCall(`${h.emulator.url}/metadata/endpoints?api-version=2015-01-01`, { method: "GET" });
    assert.equal(result.status, 200, result.text);
    assert.deepEqual(result.body.authentication, {
      loginEndpoint: `${h.emulator.url}/adfs`,
      audiences: ["https://management.azure.com/", "https://management.core.windows.net/"],
    });
    assert.equal(result.body.graphEndpoint, "https://graph.windows.net/");
  });
});
