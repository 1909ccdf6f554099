import { describe, it, expect } from "vitest";
import { reportCommand } from "../../src/report/text.js";
import { PROBE_FORMAT, type Report } from "../../src/report/types.js";

/** The text report's first line names the command that made it; the report itself says so only by its inputs. */
describe("reportCommand: which command made a report", () => {
  const inputs = (...xs: Array<[string, string]>) => ({ inputs: xs.map(([path, format]) => ({ path, format })) }) as unknown as Pick<Report, "inputs">;
  it.each([
    ["no input at all", inputs(), "check"],
    ["log files", inputs(["kern.log", "netfilter"], ["a.pcap", "pcap"]), "check"],
    ["the probe's attempts", inputs(["probe", PROBE_FORMAT]), "probe"],
    ["collect's sockets", inputs(["udp://127.0.0.1:2055", "netflow"], ["tcp://[::1]:514", "syslog"]), "collect"],
    ["a socket beside a file is not collect", inputs(["udp://127.0.0.1:2055", "netflow"], ["kern.log", "netfilter"]), "check"],
    ["a file named like a URL part", inputs(["logs/udp-2055.log", "netfilter"]), "check"],
  ] as const)("%s: %s", (_name, r, want) => {
    expect(reportCommand(r)).toBe(want);
  });
});
