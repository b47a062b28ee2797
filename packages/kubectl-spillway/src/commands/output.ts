/** Where a command writes, so tests can read what it printed. */
import { stringify } from "yaml";

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** `-o json|yaml` of an object or list, as kubectl prints them. */
export function printObject(io: Io, output: string, obj: unknown): void {
  io.out(output === "json" ? `${JSON.stringify(obj, null, 4)}\n` : stringify(obj));
}
