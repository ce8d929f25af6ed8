/** Calendar arithmetic in an app's time zone (pure; Intl, or arithmetic where that is exact). */

/**
 * Zones with one UTC offset (minutes) all through FIXED_FROM..FIXED_UNTIL in ICU's time-zone
 * data: no daylight saving, no change. There an instant's local calendar is plain arithmetic,
 * so a send in these zones never starts ICU: Intl's first use costs about 20 ms, the largest
 * single item of a cold send's first request (docs/performance.md, levers). Every other zone,
 * and any instant outside the years, goes through Intl. test/unit/time.test.ts checks each
 * entry against Intl, so a tz-data update that changes one of these zones fails the build.
 */
const FIXED_OFFSETS = new Map<string, number>([
  ["UTC", 0],
  ["Etc/UTC", 0],
  ["Asia/Shanghai", 480],
  ["PRC", 480],
  ["Asia/Hong_Kong", 480],
  ["Asia/Macau", 480],
  ["Asia/Taipei", 480],
  ["Asia/Singapore", 480],
  ["Asia/Kuala_Lumpur", 480],
  ["Asia/Manila", 480],
  ["Asia/Tokyo", 540],
  ["Asia/Seoul", 540],
  ["Asia/Bangkok", 420],
  ["Asia/Jakarta", 420],
  ["Asia/Ho_Chi_Minh", 420],
  ["Asia/Kolkata", 330],
  ["Asia/Dhaka", 360],
  ["Asia/Urumqi", 360],
  ["Asia/Karachi", 300],
  ["Asia/Dubai", 240],
  ["Asia/Riyadh", 180],
  ["Europe/Moscow", 180],
  ["Europe/Istanbul", 180],
  ["Africa/Nairobi", 180],
  ["Africa/Johannesburg", 120],
  ["Africa/Lagos", 60],
  ["America/Sao_Paulo", -180],
  ["America/Bogota", -300],
  ["America/Lima", -300],
]);
export const FIXED_FROM = Date.UTC(2020, 0, 1);
export const FIXED_UNTIL = Date.UTC(2036, 0, 1);
export const fixedOffsetZones = (): [string, number][] => [...FIXED_OFFSETS];

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsOf(ms: number, timeZone: string): Record<string, string> {
  const offset = FIXED_OFFSETS.get(timeZone);
  if (offset !== undefined && ms >= FIXED_FROM && ms < FIXED_UNTIL) {
    const iso = new Date(ms + offset * 60_000).toISOString();
    return {
      year: iso.slice(0, 4),
      month: iso.slice(5, 7),
      day: iso.slice(8, 10),
      hour: iso.slice(11, 13),
      minute: iso.slice(14, 16),
    };
  }
  return intlPartsOf(ms, timeZone);
}

/** The local calendar through ICU (exported for the check of FIXED_OFFSETS). */
export function intlPartsOf(ms: number, timeZone: string): Record<string, string> {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(ms)) out[p.type] = p.value;
  return out;
}

/** The natural day ("2026-11-22") of an instant in a time zone. */
export function dayOf(ms: number, timeZone: string): string {
  const p = partsOf(ms, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** The hour of day ("00".."23") of an instant in a time zone. */
export function hourOf(ms: number, timeZone: string): string {
  return partsOf(ms, timeZone).hour ?? "00";
}

/** The instant (ISO, UTC) a natural day begins in a time zone: "2026-11-22" in Shanghai → …21T16:00Z. */
export function startOfDay(day: string, timeZone: string): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const target = Date.UTC(y, m - 1, d);
  let t = target;
  // Two corrections settle any offset, a DST change on that day included.
  for (let i = 0; i < 2; i++) {
    const p = partsOf(t, timeZone);
    const local = Date.UTC(
      Number(p.year),
      Number(p.month) - 1,
      Number(p.day),
      Number(p.hour) % 24,
      Number(p.minute),
    );
    t -= local - target;
  }
  return new Date(t).toISOString();
}

/** The day after a day ("2026-11-30" → "2026-12-01"). */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** Minutes since local midnight. */
export function minuteOfDay(ms: number, timeZone: string): number {
  const p = partsOf(ms, timeZone);
  return Number(p.hour) * 60 + Number(p.minute);
}

/** "08:00" → 480. */
export function parseClock(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Whether an instant falls in [start, end) local time; a window may wrap midnight. */
export function inWindow(
  ms: number,
  timeZone: string,
  window: { start: string; end: string },
): boolean {
  const now = minuteOfDay(ms, timeZone);
  const start = parseClock(window.start);
  const end = parseClock(window.end);
  return start <= end ? now >= start && now < end : now >= start || now < end;
}

/** The calendar day before a "YYYY-MM-DD" day. */
export function previousDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}
