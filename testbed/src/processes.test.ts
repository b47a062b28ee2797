import { afterEach, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alive, assertPortsFree, ProcessTable, waitFor } from "./processes.ts";

describe("testbed processes", () => {
  const dirs: string[] = [];
  const table = () => {
    const dir = mkdtempSync(join(tmpdir(), "spillway-proc-"));
    dirs.push(dir);
    return new ProcessTable(dir);
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("reports a component that dies while we wait, with its name, log path and last lines — at once", async () => {
    const t = table();
    const record = t.start("idc-9-etcd", ["sh", "-c", "echo 'listen tcp 127.0.0.1:2379: bind: address already in use' >&2; exit 3"]);
    // A minute's timeout: the answer names the exit, so it came from the exit, not the timeout.
    const err = await waitFor("idc-9-etcd", async () => false, { timeoutMs: 60_000, table: t, record }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toContain("idc-9-etcd exited (code 3) before it was ready");
    expect(err!.message).toContain(record.log);
    expect(err!.message).toContain("bind: address already in use");
  });

  it("stops every process it started, and their children, leaving none behind", async () => {
    const t = table();
    // A process that ignores SIGTERM and has a child: stopAll must escalate and take the group.
    const r = t.start("stubborn", ["sh", "-c", "trap '' TERM; sleep 300 & wait"]);
    await waitFor("stubborn running", async () => alive(r.pid), { timeoutMs: 5000 });
    const stopped = await t.stopAll(300);
    expect(stopped).toEqual(["stubborn"]);
    expect(alive(r.pid)).toBe(false);
    expect(t.readState().processes).toEqual([]);
  });

  it("names the owner of a port that is already taken", async () => {
    const server: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
    );
    try {
      await expect(assertPortsFree([{ port, owner: "idc-1 apiserver" }])).rejects.toThrow(`127.0.0.1:${port} (wanted by idc-1 apiserver)`);
    } finally {
      server.close();
    }
  });
});

describe("stopOne / restart", () => {
  it("stops one component and brings it back with the same command", async () => {
    const dir = mkdtempSync(join(tmpdir(), "spillway-proc-"));
    try {
      const t = new ProcessTable(dir);
      const first = t.start("cloud-1-kube-apiserver", ["sleep", "300"]);
      const other = t.start("cloud-1-etcd", ["sleep", "300"]);
      await t.stopOne("cloud-1-kube-apiserver");
      expect(alive(first.pid)).toBe(false);
      expect(alive(other.pid)).toBe(true);
      const again = t.restart("cloud-1-kube-apiserver");
      expect(again.pid).not.toBe(first.pid);
      expect(again.command).toEqual(["sleep", "300"]);
      expect(alive(again.pid)).toBe(true);
      await t.stopAll(1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
