/** Embedded Metric Format lines, written by hand (no SDK): CloudWatch's envelope, exactly. */
import { describe, expect, it } from "vitest";
import { createLogger, emfLine } from "../../lib/core/log";

describe("metrics", () => {
  it("are one EMF line: namespace, one dimension set, a unit per metric, values at the top", () => {
    const line = JSON.parse(
      emfLine(1_700_000_000_000, { provider: "tencent" }, { SendsAccepted: 3, VendorLatency: 120 }),
    );
    expect(line).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: "smsgate",
            Dimensions: [["provider"]],
            Metrics: [
              { Name: "SendsAccepted", Unit: "Count" },
              { Name: "VendorLatency", Unit: "Milliseconds" },
            ],
          },
        ],
      },
      provider: "tencent",
      SendsAccepted: 3,
      VendorLatency: 120,
    });
  });

  it("are written at every level but silent, and never empty", () => {
    const lines: string[] = [];
    createLogger("error", (l) => lines.push(l)).metrics(
      { event: "overVolume" },
      { AlertsDelivered: 1 },
    );
    createLogger("silent", (l) => lines.push(l)).metrics(
      { event: "overVolume" },
      { AlertsDelivered: 1 },
    );
    createLogger("info", (l) => lines.push(l)).metrics({ event: "overVolume" }, {});
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string).AlertsDelivered).toBe(1);
  });
});
