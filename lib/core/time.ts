/** Calendar arithmetic in an app's time zone (pure; Intl only). */

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsOf(ms: number, timeZone: string): Record<string, string> {
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
