/**
 * `-o jsonpath=TEMPLATE` as kubectl prints it: text is copied, `{.path}` prints what the path
 * selects (several results space-separated, strings bare, objects as JSON), `{"…"}` prints a
 * literal (`{"\n"}`), and `{range .items[*]}…{end}` repeats its body for each element, with paths
 * in the body relative to that element. Paths are evaluated by jsonpath-plus.
 */
import { JSONPath } from "jsonpath-plus";

type Node = { text: string } | { path: string } | { range: string; body: Node[] };

function tokens(template: string): Array<{ text: string } | { action: string }> {
  const out: Array<{ text: string } | { action: string }> = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf("{", i);
    if (open < 0) {
      out.push({ text: template.slice(i) });
      break;
    }
    if (open > i) out.push({ text: template.slice(i, open) });
    // A quoted literal may hold a "}"; an action ends at the first "}" outside quotes.
    let close = open + 1;
    let quoted = false;
    for (; close < template.length; close++) {
      const ch = template[close];
      if (ch === '"' && template[close - 1] !== "\\") quoted = !quoted;
      else if (ch === "}" && !quoted) break;
    }
    if (close >= template.length) throw new Error(`error parsing jsonpath ${template}: unclosed action`);
    out.push({ action: template.slice(open + 1, close).trim() });
    i = close + 1;
  }
  return out;
}

function parse(template: string): Node[] {
  const stack: Node[][] = [[]];
  const ranges: string[] = [];
  for (const t of tokens(template)) {
    const into = stack.at(-1)!;
    if ("text" in t) into.push({ text: t.text });
    else if (t.action.startsWith('"')) into.push({ text: JSON.parse(t.action) as string });
    else if (t.action.startsWith("range ")) {
      ranges.push(t.action.slice("range ".length).trim());
      stack.push([]);
    } else if (t.action === "end") {
      if (!ranges.length) throw new Error(`error parsing jsonpath ${template}: {end} without {range}`);
      const body = stack.pop()!;
      stack.at(-1)!.push({ range: ranges.pop()!, body });
    } else if (t.action.startsWith(".") || t.action.startsWith("[") || t.action === "@") into.push({ path: t.action });
    else throw new Error(`error parsing jsonpath ${template}: unrecognized identifier ${t.action}`);
  }
  if (ranges.length) throw new Error(`error parsing jsonpath ${template}: {range} without {end}`);
  return stack[0]!;
}

function select(path: string, json: unknown): unknown[] {
  const expression = path === "@" ? "$" : `$${path}`;
  return JSONPath({ path: expression, json: json as object, wrap: true }) as unknown[];
}

const show = (v: unknown) => (typeof v === "string" ? v : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));

function render(nodes: readonly Node[], current: unknown): string {
  return nodes
    .map((n) => {
      if ("text" in n) return n.text;
      if ("path" in n) return select(n.path, current).map(show).join(" ");
      return select(n.range, current)
        .map((item) => render(n.body, item))
        .join("");
    })
    .join("");
}

/** The output of `-o jsonpath=TEMPLATE` for `obj`; throws kubectl's kind of message for a bad template. */
export function jsonpathTemplate(template: string, obj: unknown): string {
  return render(parse(template), obj);
}
