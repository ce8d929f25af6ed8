/**
 * lib/core/time.ts computes the calendar of fixed-offset zones by arithmetic, to keep ICU out
 * of a send's first request. It must agree with ICU (Intl) wherever it is used; if Node's
 * tz data ever changes one of those zones, this fails and the zone leaves the table.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  dayOf,
  FIXED_FROM,
  FIXED_UNTIL,
  fixedOffsetZones,
  hourOf,
  intlPartsOf,
  minuteOfDay,
  startOfDay,
} from "../../lib/core/time";

const local = (p: Record<string, string>) => `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;

describe("fixed-offset time zones", () => {
  it("agree with Intl twice a day, every day of the years they are used for", () => {
    for (const [zone, offset] of fixedOffsetZones())
      for (let t = FIXED_FROM; t < FIXED_UNTIL; t += 12 * 3_600_000) {
        const p = intlPartsOf(t, zone);
        const minutes =
          (Date.UTC(
            +(p.year ?? 0),
            +(p.month ?? 1) - 1,
            +(p.day ?? 1),
            +(p.hour ?? 0),
            +(p.minute ?? 0),
          ) -
            t) /
          60_000;
        if (minutes !== offset) expect(`${zone} at ${new Date(t).toISOString()}`).toBe(`${offset}`);
      }
  });

  it("give the same day, hour and minute as Intl at any instant, and the same start of day", () => {
    const zones = fixedOffsetZones().map(([z]) => z);
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: FIXED_FROM, max: FIXED_UNTIL - 1 }),
        (zone, t) => {
          const p = intlPartsOf(t, zone);
          expect(`${dayOf(t, zone)} ${hourOf(t, zone)}`).toBe(local(p).slice(0, 13));
          expect(minuteOfDay(t, zone)).toBe(Number(p.hour) * 60 + Number(p.minute));
          const day = dayOf(t, zone);
          const start = Date.parse(startOfDay(day, zone));
          expect(local(intlPartsOf(start, zone))).toBe(`${day} 00:00`);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("still go through Intl outside those years (Moscow was UTC+4 in 2013)", () => {
    expect(hourOf(Date.UTC(2013, 5, 1, 0, 0), "Europe/Moscow")).toBe("04");
    expect(hourOf(Date.UTC(2026, 5, 1, 0, 0), "Europe/Moscow")).toBe("03");
  });

  it("leave zones with daylight saving to Intl", () => {
    expect(hourOf(Date.UTC(2026, 0, 15, 12), "Europe/Berlin")).toBe("13");
    expect(hourOf(Date.UTC(2026, 6, 15, 12), "Europe/Berlin")).toBe("14");
  });
});
