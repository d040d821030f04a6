import { deepEqual } from "node:assert/strict";
import { SECRET_SIG, SIG_KEY, unwrapSecrets, wrapSecrets } from "../../plugin/secrets";

const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });

describe("plugin secrets: unwrapped for the runtime, wrapped again by top-level property", () => {
  it("unwraps at any depth and names the top-level properties that held a secret", () => {
    const { plain, secretKeys } = unwrapSecrets({
      scaleSetName: "vmss",
      secretProperties: secret({ adminPassword: "p" }),
      virtualMachineProfile: { osProfile: { adminPassword: secret("p"), adminUsername: "u" } },
      zones: ["1", secret("2")],
    });
    deepEqual(plain, {
      scaleSetName: "vmss",
      secretProperties: { adminPassword: "p" },
      virtualMachineProfile: { osProfile: { adminPassword: "p", adminUsername: "u" } },
      zones: ["1", "2"],
    });
    deepEqual([...secretKeys].sort(), ["secretProperties", "virtualMachineProfile", "zones"]);
  });

  it("wraps the named properties that are present, and nothing else", () => {
    deepEqual(wrapSecrets({ a: 1, b: { c: 2 } }, ["b", "missing"]), { a: 1, b: secret({ c: 2 }) });
  });
});
