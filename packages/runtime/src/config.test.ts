import { describe, expect, it } from "@jest/globals";
import { parseConfig, countFlag, secondsFlag, usage, wantsHelp } from "./config.ts";

describe("parseConfig", () => {
  it("takes flags over environment over defaults", () => {
    const c = parseConfig("scheduler", ["--health-addr=127.0.0.1:9000", "--lease-duration", "4"], {
      SPILLWAY_HEALTH_ADDR: "0.0.0.0:1",
      SPILLWAY_NATS_URL: "nats://nats:4222",
    });
    expect(c).toMatchObject({
      service: "scheduler",
      healthHost: "127.0.0.1",
      healthPort: 9000,
      natsUrl: "nats://nats:4222",
      leaseDurationMs: 4000,
    });
    expect(c.leaseNamespace).toBe("spillway-system");
  });

  it.each([
    [["--health-addr=nope"], /--health-addr must be host:port/],
    [["--lease-duration=1"], /--lease-duration must be a number of seconds >= 2/],
    [["--no-such-flag=1"], /Unknown option/],
  ])("rejects %j naming the flag", (argv, message) => {
    expect(() => parseConfig("x", argv, {})).toThrow(message);
  });
});

describe("secondsFlag", () => {
  const flags = { "hold-down": { env: "X_HOLD", def: "10" } };
  it("reads a service flag in seconds as milliseconds", () => {
    expect(secondsFlag(parseConfig("x", ["--hold-down=2.5"], {}, flags), "hold-down")).toBe(2500);
    expect(secondsFlag(parseConfig("x", ["--hold-down=0"], {}, flags), "hold-down", { allowZero: true })).toBe(0);
  });
  it.each([["--hold-down=-1"], ["--hold-down=soon"], ["--hold-down=0"]])("rejects %s naming the flag", (arg) => {
    expect(() => secondsFlag(parseConfig("x", [arg], {}, flags), "hold-down")).toThrow(/--hold-down must be a positive number of seconds/);
  });
});

describe("countFlag", () => {
  const flags = { workers: { env: "X_WORKERS", def: "5" } };
  it("reads a positive integer", () => {
    expect(countFlag(parseConfig("x", ["--workers=12"], {}, flags), "workers")).toBe(12);
    expect(countFlag(parseConfig("x", [], {}, flags), "workers")).toBe(5);
  });
  it.each([["--workers=0"], ["--workers=2.5"], ["--workers=many"], ["--workers="]])("rejects %s naming the flag", (arg) => {
    expect(() => countFlag(parseConfig("x", [arg], {}, flags), "workers")).toThrow(/--workers must be a positive integer/);
  });
});

describe("--help", () => {
  it("lists every flag, the service's own too, with its environment variable and default", () => {
    const text = usage("scheduler", { "failover-grace": { env: "SPILLWAY_FAILOVER_GRACE_SECONDS", def: "60" } });
    expect(text).toContain("Usage: spillway-scheduler");
    expect(text).toMatch(/--failover-grace\s+\$SPILLWAY_FAILOVER_GRACE_SECONDS \(default "60"\)/);
    expect(text).toMatch(/--lease-namespace\s+\$SPILLWAY_LEASE_NAMESPACE \(default "spillway-system"\)/);
    expect(text).toMatch(/--kubeconfig\s+\$KUBECONFIG\n/);
    expect(wantsHelp(["--lease-duration=4", "--help"])).toBe(true);
    expect(wantsHelp(["-h"])).toBe(true);
    expect(wantsHelp(["--health-addr=127.0.0.1:1"])).toBe(false);
  });
});
