/**
 * Tables as kubectl prints them: upper-case headers, columns left-aligned and separated by three
 * spaces (kubectl's tabwriter padding), `<none>` for an empty cell, no trailing blanks.
 */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, noHeaders = false): string {
  const all = noHeaders ? rows : [headers.map((h) => h.toUpperCase()), ...rows];
  const cells = all.map((r) => r.map((c) => (c === "" ? "<none>" : c)));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells
    .map(
      (r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3)))
          .join("")
          .trimEnd() + "\n",
    )
    .join("");
}
