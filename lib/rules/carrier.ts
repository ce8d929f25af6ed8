/**
 * Receipt codes grouped the way the consoles' 回执分析 groups them: empty number, switched
 * off, carrier rate limit, do-not-disturb, unknown. The carriers' codes are only partly
 * documented (docs/providers/tencent.md §4, docs/providers/huawei.md §4.3); the grouping
 * below covers the codes those pages name and calls everything else unknown rather than guess.
 */
export type ReceiptGroup =
  | "delivered"
  | "emptyNumber"
  | "switchedOff"
  | "carrierRateLimit"
  | "doNotDisturb"
  | "unknown";

export const RECEIPT_GROUPS: ReceiptGroup[] = [
  "delivered",
  "emptyNumber",
  "switchedOff",
  "carrierRateLimit",
  "doNotDisturb",
  "unknown",
];

const EXACT: Record<string, ReceiptGroup> = {
  DELIVRD: "delivered",
  // Not reachable until the validity period ran out: the handset was off or out of coverage.
  EXPIRED: "switchedOff",
  // Huawei's per-number limits (§4.3).
  LIMIT: "carrierRateLimit",
  MILIMIT: "carrierRateLimit",
  BEYONDN: "carrierRateLimit",
  // Blacklists and refusals on the carrier side.
  BLACK: "doNotDisturb",
  MBBLACK: "doNotDisturb",
  REJECTD: "doNotDisturb",
  // Number not in service.
  EMPTY: "emptyNumber",
  KONGHAO: "emptyNumber",
};

export function receiptGroup(code: string): ReceiptGroup {
  const c = code.trim().toUpperCase();
  return EXACT[c] ?? "unknown";
}

/** Carrier codes counted per group (the stats answer's `carrierCodes`). */
export function groupReceipts(carrierCodes: Record<string, number>) {
  const out: Record<ReceiptGroup, { count: number; codes: Record<string, number> }> = {
    delivered: { count: 0, codes: {} },
    emptyNumber: { count: 0, codes: {} },
    switchedOff: { count: 0, codes: {} },
    carrierRateLimit: { count: 0, codes: {} },
    doNotDisturb: { count: 0, codes: {} },
    unknown: { count: 0, codes: {} },
  };
  for (const [code, n] of Object.entries(carrierCodes)) {
    const g = out[receiptGroup(code)];
    g.count += n;
    g.codes[code] = (g.codes[code] ?? 0) + n;
  }
  return out;
}
