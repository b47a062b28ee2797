/** Where a command writes, so tests can read what it printed. */
import { stringify } from "yaml";
import { jsonpathTemplate } from "../core/jsonpath-template.ts";

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** `-o json|yaml|jsonpath=TEMPLATE` of an object or list, as kubectl prints them. */
export function printObject(io: Io, output: string, obj: unknown): void {
  if (output.startsWith("jsonpath=")) io.out(jsonpathTemplate(output.slice("jsonpath=".length), obj));
  else io.out(output === "json" ? `${JSON.stringify(obj, null, 4)}\n` : stringify(obj));
}

/** The formats that print the object(s) themselves. */
export const printsObjects = (output: string | undefined) =>
  output === "json" || output === "yaml" || (output?.startsWith("jsonpath=") ?? false);
