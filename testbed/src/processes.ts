/**
 * Starting, watching and stopping the testbed's processes. Every process runs in its own process
 * group with its output in `.testbed/logs/<name>.log`, and is recorded in `.testbed/state.json`
 * the moment it starts, so `down` finds it even if `up` failed halfway. A component that exits
 * while we wait for it is reported at once, with its log path and last lines: never a hang.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export interface ProcessRecord {
  name: string;
  pid: number;
  log: string;
  command: string[];
}

export interface State {
  processes: ProcessRecord[];
}

export class ProcessTable {
  readonly dir: string;
  private readonly exits = new Map<string, { code: number | null; signal: NodeJS.Signals | null }>();

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(join(dir, "logs"), { recursive: true });
  }

  get statePath(): string {
    return join(this.dir, "state.json");
  }

  readState(): State {
    if (!existsSync(this.statePath)) return { processes: [] };
    return JSON.parse(readFileSync(this.statePath, "utf8")) as State;
  }

  private writeState(state: State): void {
    writeFileSync(this.statePath, JSON.stringify(state, null, 2) + "\n");
  }

  /** Starts `command` detached in its own process group, logging to `.testbed/logs/<name>.log`. */
  start(name: string, command: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ProcessRecord {
    const log = join(this.dir, "logs", `${name}.log`);
    const fd = openSync(log, "a");
    const child = spawn(command[0]!, command.slice(1), {
      detached: true,
      stdio: ["ignore", fd, fd],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`${name}: could not start ${command[0]} (log: ${log})`);
    child.on("exit", (code, signal) => this.exits.set(name, { code, signal }));
    child.unref();
    const record: ProcessRecord = { name, pid: child.pid, log, command };
    const state = this.readState();
    state.processes = state.processes.filter((p) => p.name !== name).concat(record);
    this.writeState(state);
    return record;
  }

  /** Throws a clear error if `name` has exited; used while waiting for readiness. */
  assertRunning(record: ProcessRecord): void {
    const exit = this.exits.get(record.name);
    if (exit) {
      throw new Error(
        `${record.name} exited (${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}) before it was ready; log: ${record.log}\n${tail(record.log)}`,
      );
    }
  }

  /** Stops one recorded process and keeps its record, so `restart` can bring it back as it was. */
  async stopOne(name: string, graceMs = 10_000): Promise<ProcessRecord> {
    const record = this.readState().processes.find((p) => p.name === name);
    if (!record) throw new Error(`no testbed process named ${name}`);
    signalGroup(record.pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (alive(record.pid) && Date.now() < deadline) await delay(50);
    if (alive(record.pid)) signalGroup(record.pid, "SIGKILL");
    while (alive(record.pid)) await delay(20);
    return record;
  }

  /** Starts a stopped process again with the command it had. */
  restart(name: string): ProcessRecord {
    const record = this.readState().processes.find((p) => p.name === name);
    if (!record) throw new Error(`no testbed process named ${name}`);
    if (alive(record.pid)) throw new Error(`${name} is still running (pid ${record.pid})`);
    return this.start(name, record.command);
  }

  /** Stops every recorded process (SIGTERM, then SIGKILL after `graceMs`) and forgets them. */
  async stopAll(graceMs = 10_000, only?: (p: ProcessRecord) => boolean): Promise<string[]> {
    const state = this.readState();
    const targets = state.processes.filter((p) => (only ? only(p) : true));
    for (const p of targets) signalGroup(p.pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (targets.some((p) => alive(p.pid)) && Date.now() < deadline) await delay(100);
    for (const p of targets) if (alive(p.pid)) signalGroup(p.pid, "SIGKILL");
    while (targets.some((p) => alive(p.pid))) await delay(50);
    this.writeState({ processes: state.processes.filter((p) => !targets.includes(p)) });
    return targets.map((p) => p.name);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** True while `pid` exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

export function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, "utf8")
      .trimEnd()
      .split("\n")
      .slice(-lines)
      .map((l) => `    | ${l}`)
      .join("\n");
  } catch {
    return "    | (no log)";
  }
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves when `check` returns true; fails fast when the process dies, or after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; table?: ProcessTable; record?: ProcessRecord; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.table && options.record) options.table.assertRunning(options.record);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) {
      const log = options.record ? `; log: ${options.record.log}\n${tail(options.record.log)}` : "";
      throw new Error(`${what}: not ready after ${options.timeoutMs / 1000}s${log}`);
    }
    await delay(options.intervalMs ?? 200);
  }
}

/** Fails with the owner's name if any port is taken, before anything is started. */
export async function assertPortsFree(ports: Array<{ port: number; owner: string }>): Promise<void> {
  const taken: string[] = [];
  await Promise.all(
    ports.map(
      ({ port, owner }) =>
        new Promise<void>((resolve) => {
          const server = createServer();
          server.once("error", () => {
            taken.push(`127.0.0.1:${port} (wanted by ${owner})`);
            resolve();
          });
          server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
        }),
    ),
  );
  if (taken.length) {
    throw new Error(
      `ports already in use: ${taken.sort().join(", ")}. Is another testbed running? Stop it with \`make down\`, or set SPILLWAY_TESTBED_PORT_BASE.`,
    );
  }
}
