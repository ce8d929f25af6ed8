/**
 * JSON log lines. Phone numbers are masked wherever they appear in a logged string, and
 * fields named like secrets are dropped, so a careless call cannot leak either.
 */
export type Level = "debug" | "info" | "warn" | "error" | "silent";
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };
const SECRET_FIELD = /secret|password|token|authorization|apikey|key$/i;
const PHONE = /\+?\d{7,15}/g;

/** "+8613800138000" → "+86138****8000"; keeps enough to correlate, not enough to dial. */
export function maskPhone(value: string): string {
  return value.replace(PHONE, (m) =>
    m.length < 8 ? m : `${m.slice(0, m.length - 8)}****${m.slice(-4)}`,
  );
}

function clean(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return maskPhone(value);
  if (value instanceof Error) return { name: value.name, message: maskPhone(value.message) };
  if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
  if (value && typeof value === "object" && depth < 5) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!SECRET_FIELD.test(k)) out[k] = clean(v, depth + 1);
    }
    return out;
  }
  return value;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /**
   * CloudWatch metrics as Embedded Metric Format: one JSON line that CloudWatch Logs turns into
   * metrics, with no SDK and no extra call (docs/deploy.md). Written at any level but
   * "silent"; counts are summed per dimension set.
   */
  metrics(
    dimensions: Record<string, string>,
    values: Record<string, number>,
    unit?: "Count" | "Milliseconds",
  ): void;
}

/** The namespace every smsgate metric is published under. */
export const METRIC_NAMESPACE = "smsgate";

/** The EMF line (pure, for tests): the `_aws` envelope, dimensions and values at the top level. */
export function emfLine(
  at: number,
  dimensions: Record<string, string>,
  values: Record<string, number>,
  unit: "Count" | "Milliseconds" = "Count",
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: at,
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [Object.keys(dimensions)],
          // A name ending in "Latency" is a duration in milliseconds.
          Metrics: Object.keys(values).map((Name) => ({
            Name,
            Unit: /Latency$/.test(Name) ? "Milliseconds" : unit,
          })),
        },
      ],
    },
    ...dimensions,
    ...values,
  });
}

export function createLogger(level: Level, write: (line: string) => void = console.log): Logger {
  const at = (l: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (order[l] < order[level]) return;
    write(JSON.stringify({ level: l, msg: maskPhone(msg), ...(clean(fields ?? {}) as object) }));
  };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    metrics(dimensions, values, unit) {
      if (level === "silent" || Object.keys(values).length === 0) return;
      write(emfLine(Date.now(), dimensions, values, unit));
    },
  };
}
