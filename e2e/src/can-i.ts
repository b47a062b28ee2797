/**
 * What `kubectl auth can-i --list` says a user may do, read strictly (the RBAC allowlist test
 * compares it), every line kept: `resource: verbs`, with
 * `[names]` after the resource when a rule names objects, and `nonResourceURLs[urls]: verbs` for
 * URL grants (verbs sorted). A line that does not read as the four columns fails the test, so no
 * grant can pass unseen.
 */
export function parseCanIList(stdout: string): Set<string> {
  const rights = new Set<string>();
  for (const line of stdout.split("\n").map((l) => l.trimEnd())) {
    if (!line) continue;
    const m = /^(\S*)\s*\[([^\]]*)\]\s+\[([^\]]*)\]\s+\[([^\]]*)\]$/.exec(line);
    if (!m) throw new Error(`kubectl auth can-i --list printed a line this test cannot read: ${JSON.stringify(line)}`);
    const [, resource, urls, names, verbs] = m as unknown as [string, string, string, string, string];
    const list = (s: string) => s.split(" ").filter(Boolean).sort();
    const what = resource
      ? `${resource}${list(names).length ? `[${list(names).join(" ")}]` : ""}`
      : `nonResourceURLs[${list(urls).join(" ")}]`;
    rights.add(`${what}: ${list(verbs).join(" ")}`);
  }
  return rights;
}
