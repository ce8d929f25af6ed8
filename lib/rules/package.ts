/**
 * The prepaid package as the vendors bill it (pure; docs/api.md "Prepaid package"): the
 * domestic balance counts segments, the international one money — a price per segment and
 * country, in whatever currency the operator uses — and each region either stops sending when
 * used up or continues and alerts (docs/providers/huawei.md §6.7: 用尽即停 or 超出部分
 * 按需计费). Money is held as integer micro-units, so adding and taking back never drifts.
 */
import type { PackageConfig } from "../core/model";

export type PackageRegion = "domestic" | "international";
export type OnExhausted = "stop" | "continue";

/** Micro-units per unit of the operator's currency. */
export const MICROS = 1_000_000;
/** Amounts and prices are given with at most this many decimals. */
export const MONEY_DECIMALS = 4;

/** Whether `x` has at most four decimals (so micro-units hold it exactly). */
export const hasMoneyPrecision = (x: number): boolean =>
  Number.isFinite(x) && Number(x.toFixed(MONEY_DECIMALS)) === x;

/** An amount (≤ 4 decimals) as integer micro-units. */
export const toMicros = (x: number): number => Math.round(x * MICROS);

/** Micro-units as the amount the API shows (exact for whole ten-thousandths and finer). */
export const fromMicros = (m: number): number => m / MICROS;

/** An amount for a sentence: up to four decimals, no trailing zeros. */
export const formatMoney = (m: number): string =>
  String(Number(fromMicros(m).toFixed(MONEY_DECIMALS)));

export const onExhausted = (pkg: PackageConfig | undefined, region: PackageRegion): OnExhausted =>
  pkg?.[region]?.onExhausted ?? "stop";

/**
 * Whether the international amount is money with prices. Without `prices` and `defaultPrice`
 * every segment costs one unit: the amount counts segments, as before prices existed.
 */
export const priced = (pkg: PackageConfig | undefined): boolean =>
  pkg?.international?.prices !== undefined || pkg?.international?.defaultPrice !== undefined;

/**
 * What one segment to `country` costs, in micro-units of the international balance: its price,
 * else `defaultPrice`; undefined when the package has prices and neither covers the country.
 */
export function segmentPrice(pkg: PackageConfig | undefined, country: string): number | undefined {
  const intl = pkg?.international;
  if (!priced(pkg)) return MICROS;
  const prices = intl?.prices;
  const price =
    prices && Object.hasOwn(prices, country) ? prices[country] : (intl?.defaultPrice ?? undefined);
  return price === undefined ? undefined : toMicros(price);
}

/**
 * What `segments` segments to `country` take from the region's balance: segments at home,
 * micro-units abroad; undefined when no price covers the country.
 */
export function costOf(
  pkg: PackageConfig | undefined,
  region: PackageRegion,
  country: string,
  segments: number,
): number | undefined {
  if (region === "domestic") return segments;
  const price = segmentPrice(pkg, country);
  return price === undefined ? undefined : segments * price;
}

/** How many of `costs`, in order, fit in `remaining` (first come first served). */
export function fitCount(costs: number[], remaining: number): number {
  let left = remaining;
  let n = 0;
  for (const c of costs) {
    if (c > left) break;
    left -= c;
    n++;
  }
  return n;
}

/** The balance a region's setting or top-up adds, in the unit the store keeps. */
export const balanceUnits = (region: PackageRegion, amount: number): number =>
  region === "domestic" ? amount : toMicros(amount);

/** The balance as the API shows it: segments at home, the operator's currency abroad. */
export const shownBalance = (region: PackageRegion, units: number): number =>
  region === "domestic" ? units : fromMicros(units);

/**
 * The least one segment can take from a region's balance: 1 at home; abroad the lowest of
 * the package's prices (a floor for estimates that do not know each row's country).
 */
export function cheapestSegment(pkg: PackageConfig | undefined, region: PackageRegion): number {
  if (region === "domestic" || !priced(pkg)) return region === "domestic" ? 1 : MICROS;
  const intl = pkg?.international;
  const prices = [
    ...Object.values(intl?.prices ?? {}),
    ...(intl?.defaultPrice !== undefined ? [intl.defaultPrice] : []),
  ];
  return Math.min(...prices.map(toMicros));
}
