import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { scalingEvent, type MemberScaling } from "./member-scaling.ts";

describe("scalingEvent", () => {
  it.each<[string, string, MemberScaling[], string | undefined]>([
    ["nothing scaled says nothing", "Deployment", [], undefined],
    [
      "one member",
      "Deployment",
      [{ cluster: "cloud-1", from: "8", to: "10", way: "up" }],
      "Scaled member Deployment: cloud-1 up from 8 to 10",
    ],
    [
      "every member of the pass, in the order written",
      "Deployment",
      [
        { cluster: "idc-1", from: "16", to: "14", way: "down" },
        { cluster: "cloud-1", from: "8", to: "10", way: "up" },
      ],
      "Scaled member Deployments: idc-1 down from 16 to 14, cloud-1 up from 8 to 10",
    ],
    [
      "ordinals, which go no way",
      "StatefulSet",
      [{ cluster: "cloud-1", from: "ordinals 12-19", to: "12-13" }],
      "Scaled member StatefulSet: cloud-1 from ordinals 12-19 to 12-13",
    ],
  ])("%s", (_what, kind, scalings, note) => {
    const e = scalingEvent(kind, scalings);
    expect(e?.note).toBe(note);
    if (note) expect(e).toMatchObject({ type: "Normal", reason: "ScalingMember" });
  });

  it("fits any number of members into the Events API's 1 KiB note, naming whole members and counting the rest", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ cluster: fc.stringMatching(/^[a-z][a-z0-9-]{0,62}$/), from: fc.nat().map(String), to: fc.nat().map(String) }),
          { minLength: 1, maxLength: 300 },
        ),
        (scalings) => {
          const note = scalingEvent("Deployment", scalings)!.note;
          expect(note.length).toBeLessThanOrEqual(1024);
          const listed = note.slice(note.indexOf(": ") + 2).split(", ");
          const more = /^and (\d+) more$/.exec(listed.at(-1)!);
          const named = more ? listed.slice(0, -1) : listed;
          expect(named).toEqual(scalings.slice(0, named.length).map((s) => `${s.cluster} from ${s.from} to ${s.to}`));
          expect(named.length + Number(more?.[1] ?? 0)).toBe(scalings.length);
        },
      ),
    );
  });
});
