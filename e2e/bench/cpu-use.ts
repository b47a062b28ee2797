/**
 * Where a machine's cores go during a phase of a bench: the CPU time every process used, from
 * /proc, grouped by what the process is. A latency that grows with the member count is either
 * the control plane's own work or a machine with no core left for it; only the CPU time tells.
 */
import { readdirSync, readFileSync } from "node:fs";

/** CPU ticks per process and of the whole machine at one moment. */
export interface CpuSample {
  /** pid → [group, ticks of user + system time]. */
  processes: Map<number, [string, number]>;
  /** The machine's busy and total ticks, all cores. */
  busy: number;
  total: number;
  cores: number;
}

const TICKS_PER_SECOND = 100;

/** The CPU time used so far by every process, each named by `groupOf` (pid, command, arguments). */
export function cpuSample(groupOf: (pid: number, command: string, args: string[]) => string): CpuSample {
  const processes = new Map<number, [string, number]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // The command is in parentheses and may hold spaces; the fields after it are numbered from 3.
      const close = stat.lastIndexOf(")");
      const command = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]);
      const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      processes.set(pid, [groupOf(pid, command, args), ticks]);
    } catch {
      // The process ended between listing and reading: its time is lost either way.
    }
  }
  const machine = readFileSync("/proc/stat", "utf8").split("\n");
  const cpu = machine[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are the idle ones.
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { processes, busy: total - cpu[3]! - cpu[4]!, total, cores: machine.filter((l) => /^cpu\d/.test(l)).length };
}

export interface CpuUse {
  /** The machine's busy share, 1 = every core busy. */
  busy: number;
  /** How long the phase lasted, from the machine's own tick count. */
  elapsedSeconds: number;
  /** CPU seconds per group of processes, largest first. */
  seconds: Record<string, number>;
}

/**
 * CPU seconds each group used between two samples, largest first, and how busy the machine was
 * (1 = every core busy). A process that started in between counts from zero.
 */
export function cpuUse(after: CpuSample, before: CpuSample): CpuUse {
  const seconds = new Map<string, number>();
  for (const [pid, [group, ticks]] of after.processes) {
    const used = ticks - (before.processes.get(pid)?.[1] ?? 0);
    seconds.set(group, (seconds.get(group) ?? 0) + used / TICKS_PER_SECOND);
  }
  const sorted = [...seconds].filter(([, s]) => s >= 0.05).sort((a, b) => b[1] - a[1]);
  return {
    busy: Math.round(((after.busy - before.busy) / Math.max(1, after.total - before.total)) * 100) / 100,
    elapsedSeconds: Math.round(((after.total - before.total) / TICKS_PER_SECOND / after.cores) * 10) / 10,
    seconds: Object.fromEntries(sorted.map(([g, s]) => [g, Math.round(s * 10) / 10])),
  };
}
