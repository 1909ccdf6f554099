import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

/**
 * The examples of `events --help` do what they say on a real capture: the jq filter of the second one
 * selects blocked connections, which `--packets` (one object per packet, each "unknown") never had.
 */
describe("events --help examples", () => {
  it("the capture example, run on the lab's router capture, prints blocked connections for its jq filter", async () => {
    const help = await runCli(["events", "--help"]);
    const line = help.stdout.split("\n").find((l) => l.includes("jq 'select(.action == \"blocked\")'"));
    expect(line, "the help's capture example").toBeDefined();
    const args = line!.trim().split(" 2>")[0]!.split(" ").slice(1)
      .map((a) => (a === "capture.pcapng" ? "fixtures/lab/captures/router-both.pcapng" : a));
    expect(args).toContain("fixtures/lab/captures/router-both.pcapng");
    const r = await runCli(args);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { action: string });
    expect(events.filter((e) => e.action === "blocked").length).toBeGreaterThan(0);
  });
});
