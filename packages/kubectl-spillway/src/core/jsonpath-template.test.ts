import { describe, expect, it } from "@jest/globals";
import { jsonpathTemplate } from "./jsonpath-template.ts";

const list = {
  kind: "List",
  items: [
    { metadata: { name: "idc-1", labels: { tier: "idc" } }, spec: { priority: 10 } },
    { metadata: { name: "cloud-1", labels: { tier: "cloud" } }, spec: { priority: 100 } },
  ],
};

describe("jsonpathTemplate (kubectl's -o jsonpath)", () => {
  it.each([
    ["{.items[*].metadata.name}", "idc-1 cloud-1"],
    ["{.items[0].spec.priority}", "10"],
    ['{range .items[*]}{.metadata.name}{"\\t"}{.spec.priority}{"\\n"}{end}', "idc-1\t10\ncloud-1\t100\n"],
    ["names: {.items[*].metadata.name}", "names: idc-1 cloud-1"],
    ["{.items[1].metadata.labels}", '{"tier":"cloud"}'],
    ["{.kind}", "List"],
    ["{.nothing}", ""],
  ])("%s", (template, expected) => {
    expect(jsonpathTemplate(template, list)).toBe(expected);
  });

  it.each([
    ["{.items[*]", /unclosed action/],
    ["{range .items[*]}{.metadata.name}", /\{range\} without \{end\}/],
    ["{end}", /\{end\} without \{range\}/],
    ["{items}", /unrecognized identifier items/],
  ])("refuses %s", (template, message) => {
    expect(() => jsonpathTemplate(template, list)).toThrow(message);
  });
});
