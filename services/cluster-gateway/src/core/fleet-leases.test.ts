import { describe, expect, it } from "@jest/globals";
import { FleetLeases, LeaseNotFoundError } from "./fleet-leases.ts";

describe("FleetLeases", () => {
  it("a key put with a lease goes when its TTL runs out; one put again without a lease stays", () => {
    const leases = new FleetLeases();
    const id = leases.grant(60, 0);
    leases.put("/registry/a", id);
    leases.put("/registry/b", id);
    leases.put("/registry/b", 0n);
    expect(leases.expire(59_999)).toEqual([]);
    expect(leases.expire(60_000)).toEqual(["/registry/a"]);
    expect(leases.expire(120_000)).toEqual([]);
  });

  it("a deleted key is not deleted again by its lease, and an unknown lease is refused as etcd does", () => {
    const leases = new FleetLeases();
    const id = leases.grant(1, 0);
    leases.put("/registry/a", id);
    leases.forget("/registry/a");
    expect(leases.expire(1_000)).toEqual([]);
    expect(() => leases.put("/registry/b", id)).toThrow(LeaseNotFoundError);
  });
});
