import { describe, expect, it } from "@jest/globals";
import { SharedReads } from "./shared-reads.ts";

describe("SharedReads", () => {
  const setup = () => {
    let now = 0;
    const reads: string[] = [];
    const shared = new SharedReads<string>(15_000, () => now);
    const read = (key: string, answer: Promise<string> = Promise.resolve(`${key}@${now}`)) =>
      shared.get(key, () => {
        reads.push(`${key}@${now}`);
        return answer;
      });
    return { shared, reads, read, at: (ms: number) => (now = ms) };
  };

  it("hands one read to every asker of a key within its age, and reads again after", async () => {
    const { reads, read, at } = setup();
    expect(await read("idc-1/shop/rps")).toBe("idc-1/shop/rps@0");
    at(14_999);
    expect(await read("idc-1/shop/rps")).toBe("idc-1/shop/rps@0");
    expect(await read("idc-2/shop/rps")).toBe("idc-2/shop/rps@14999");
    at(15_000);
    expect(await read("idc-1/shop/rps")).toBe("idc-1/shop/rps@15000");
    expect(reads).toEqual(["idc-1/shop/rps@0", "idc-2/shop/rps@14999", "idc-1/shop/rps@15000"]);
  });

  it("shares a read still in flight", async () => {
    const { reads, read } = setup();
    let answer!: (v: string) => void;
    const pending = new Promise<string>((r) => (answer = r));
    const first = read("k", pending);
    const second = read("k");
    answer("v");
    expect(await Promise.all([first, second])).toEqual(["v", "v"]);
    expect(reads).toEqual(["k@0"]);
  });

  it("does not keep a failed read: those waiting see the error, the next asker reads again", async () => {
    const { reads, read, at } = setup();
    const failed = read("k", Promise.reject(new Error("503 the adapter is down")));
    const waiting = read("k");
    await expect(failed).rejects.toThrow("503");
    await expect(waiting).rejects.toThrow("503");
    at(1);
    expect(await read("k")).toBe("k@1");
    expect(reads).toEqual(["k@0", "k@1"]);
  });

  it("holds only the keys asked for within one age", async () => {
    const { shared, read, at } = setup();
    for (let i = 0; i < 100; i++) await read(`ns-${i}`);
    expect(shared.size).toBe(100);
    at(15_000);
    await read("ns-new");
    expect(shared.size).toBe(1);
  });
});
