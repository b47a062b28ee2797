import { describe, expect, it } from "@jest/globals";
import { classifyFailure } from "./failure-reason.ts";

const server = "https://127.0.0.1:17032";
const withCode = (code: string | number, message = "boom") => Object.assign(new Error(message), { code });

describe("classifyFailure", () => {
  it.each<[string, unknown, string, RegExp]>([
    ["connection refused", withCode("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:17032"), "Unreachable", /cannot reach .*ECONNREFUSED/],
    ["refusal wrapped by fetch", new Error("fetch failed", { cause: withCode("ECONNREFUSED") }), "Unreachable", /ECONNREFUSED/],
    ["a timeout", new Error("probe timeout after 2000ms"), "Unreachable", /cannot reach/],
    ["401", withCode(401), "Unauthorized", /refused the kubeconfig's credentials \(HTTP 401\)/],
    ["403 from an API exception", Object.assign(new Error("x"), { statusCode: 403 }), "Unauthorized", /HTTP 403/],
    ["an unknown CA", withCode("SELF_SIGNED_CERT_IN_CHAIN"), "TLSError", /certificate-authority-data/],
    ["a wrong host name", withCode("ERR_TLS_CERT_ALTNAME_INVALID"), "TLSError", /ERR_TLS_CERT_ALTNAME_INVALID/],
    ["readyz 500", withCode(500), "APIServerNotReady", /readyz answered HTTP 500/],
  ])("%s → %s", (_what, err, reason, message) => {
    const f = classifyFailure(err, server);
    expect(f.reason).toBe(reason);
    expect(f.message).toMatch(message);
  });
});
