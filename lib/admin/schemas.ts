/**
 * The configuration API's request bodies (zod/mini: small bundles). The same schemas
 * validate requests and generate /openapi.json, so the two cannot drift.
 */
import * as z from "zod/mini";
import { STATUS_EVENTS } from "../core/model";
import { ALERT_EVENTS } from "../rules/alerts";
import { MAX_ONE_DAY, MAX_WINDOW_LIMIT } from "../rules/frequency";
import { hasMoneyPrecision } from "../rules/package";
import { isValidIntlSign, isValidSign, MAX_BODY } from "../rules/template";
import { MAX_CAMPAIGN_RECIPIENTS, MAX_USAGE_SHARDS } from "../rules/usage";
import { isUsableSecret } from "../webhooks/sign";

const text = (min: number, max: number, message?: string) =>
  z.string().check(z.minLength(min, message), z.maxLength(max, message));
const whole = (min: number, max: number) =>
  z.number().check(z.refine(Number.isInteger, "must be a whole number"), z.gte(min), z.lte(max));

/** An app's webhook: where, and the secret deliveries are signed with (replyWebhook, statusWebhook). */
const webhook = {
  // Scheme and addresses: checked when set by lib/webhooks (docs/api.md "Webhooks to the app").
  url: z.url().check(z.maxLength(1024)),
  secret: text(16, 256).check(
    z.refine(isUsableSecret, "a whsec_ secret must be standard base64 of at least 16 bytes"),
  ),
};

const timeZone = z.string().check(
  z.refine((tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "must be an IANA time zone such as Asia/Shanghai"),
);
const sign = z
  .string()
  .check(z.refine(isValidSign, "must be 2–12 CJK characters, letters or digits"));
const anySign = z
  .string()
  .check(
    z.refine(
      isValidIntlSign,
      "must be 2–12 CJK characters, letters or digits (international: a brand name of up to 32)",
    ),
  );
const country = z
  .string()
  .check(z.regex(/^[A-Z]{2}$/, "must be an ISO 3166 alpha-2 code such as CN or US"));
const count = whole(0, 100_000_000);
const clock = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM"));

const providerBinding = z.strictObject({
  provider: z.enum(["tencent", "huawei"]),
  sdkAppId: z.optional(z.string().check(z.regex(/^\d{6,20}$/, "must be the numeric SmsSdkAppId"))),
  /** Huawei channel numbers (通道号): per signature, and the one to use otherwise. */
  sender: z.optional(text(1, 21)),
  senders: z.optional(z.record(z.string(), text(1, 21))),
});

const threshold = z
  .strictObject({ alert: z.optional(z.nullable(count)), limit: z.optional(z.nullable(count)) })
  .check(
    z.refine(
      (t) => t.alert == null || t.limit == null || t.alert <= t.limit,
      "alert must not exceed limit",
    ),
  );

const windowLimit = z.nullable(whole(1, MAX_WINDOW_LIMIT));

const providers = z.array(providerBinding).check(z.minLength(1), z.maxLength(2));

/** Everything PATCH /v1/apps/{appId} may change (and POST may set). */
const settings = {
  name: text(1, 64),
  enabled: z.boolean(),
  defaultSign: z.nullable(sign),
  signatures: z.array(anySign).check(z.maxLength(50)),
  timeZone,
  // A JSON Merge Patch: null removes (a country's limit left blank is the international one).
  thresholds: z.partial(
    z.strictObject({
      domestic: z.nullable(threshold),
      international: z.nullable(threshold),
      countries: z.nullable(z.record(country, z.nullable(threshold))),
    }),
  ),
  allowedCountries: z.nullable(z.array(country).check(z.maxLength(250))),
  frequency: z.partial(
    z.strictObject({
      thirtySeconds: windowLimit,
      oneHour: windowLimit,
      // Up to the carriers' non-marketing cap: more never gets through (docs/providers/tencent.md §5.1).
      oneDay: z.nullable(whole(1, MAX_ONE_DAY)),
      sameContentThirtySeconds: windowLimit,
      /** Per client IP, on the Logto connector's sends (docs/api.md "Drop-in compatibility"). */
      perIp: z.nullable(
        z.partial(z.strictObject({ oneHour: windowLimit, oneDay: z.nullable(whole(1, 100_000)) })),
      ),
    }),
  ),
  marketingWindow: z.strictObject({ start: clock, end: clock }),
  /** Logto's message types (SignIn, Register, …) → an app template with one variable. */
  usageTemplates: z.nullable(
    z
      .record(
        z.string().check(z.regex(/^[A-Za-z]{1,32}$/, "must be a Logto type such as SignIn")),
        text(1, 64),
      )
      .check(z.refine((r) => Object.keys(r).length <= 20, "at most 20 types")),
  ),
  unsubscribeFooter: z.nullable(text(1, 32)),
  /** Extra reply keywords that unsubscribe, beside the built-in ones. */
  unsubscribeKeywords: z.array(text(1, 16)).check(z.maxLength(20)),
  alertRules: z.partial(
    z.strictObject({
      antiFraud: z.partial(
        z.strictObject({
          volumeAbove: count,
          successRateBelow: z.number().check(z.gte(0), z.lte(1)),
          growthAbove: z.number().check(z.gte(0)),
        }),
      ),
      frequencyRefusalsAbove: count,
    }),
  ),
  /**
   * Operator-only: the highest daily limits the app may set for itself, and how many
   * recipients one of its campaigns may hold (100,000 unless raised, at most 1,000,000).
   */
  ceilings: z.nullable(
    z.partial(
      z.strictObject({
        domestic: count,
        international: count,
        countries: z.record(country, count),
        campaignRecipients: z
          .int()
          .check(z.gte(1), z.lte(MAX_CAMPAIGN_RECIPIENTS, "must be at most 1000000")),
      }),
    ),
  ),
  /**
   * Operator-only: split the day counters into this many shards (a hot app that outgrows one
   * DynamoDB partition; docs/performance.md "Hot apps"). Takes effect the next app-local day.
   */
  usageShards: whole(1, MAX_USAGE_SHARDS),
  alertTemplateIds: z.partial(z.strictObject({ tencent: text(1, 32), huawei: text(1, 32) })),
  replyWebhook: z.nullable(z.strictObject(webhook)),
  statusWebhook: z.nullable(
    z.strictObject({
      ...webhook,
      // Which status changes are sent; all of them when left out.
      events: z.optional(
        z.array(z.enum(STATUS_EVENTS)).check(
          z.minLength(1),
          z.maxLength(STATUS_EVENTS.length),
          z.refine((xs) => new Set(xs).size === xs.length, "events must not repeat"),
        ),
      ),
    }),
  ),
};

export const createAppSchema = z.strictObject({
  ...z.partial(z.object(settings)).shape,
  name: settings.name,
  providers,
});
export type CreateApp = z.output<typeof createAppSchema>;

export const patchAppSchema = z.partial(z.strictObject({ ...settings, providers }));

/**
 * Settings only the operator key may change (docs/api.md "Authentication"); an app's own
 * admin key naming any of them is refused whole.
 */
export const OPERATOR_ONLY = [
  "enabled",
  "providers",
  "signatures",
  "ceilings",
  "usageShards",
] as const;
export type PatchApp = z.output<typeof patchAppSchema>;

export const templateSchema = z.strictObject({
  kind: z.enum(["verification", "notification", "marketing"]),
  region: z.enum(["domestic", "international"]),
  body: text(1, MAX_BODY, `must be 1–${MAX_BODY} characters`),
  /** The longest a non-verification variable may be (Tencent's default 6 otherwise). */
  maxParamLength: z.optional(z.nullable(whole(1, 64))),
  providerTemplateIds: z._default(
    z.strictObject({
      tencent: z.optional(
        z.string().check(z.regex(/^\d{1,20}$/, "must be Tencent's numeric template id")),
      ),
      huawei: z.optional(text(1, 64)),
    }),
    {},
  ),
});
export type TemplateInput = z.output<typeof templateSchema>;

export const createKeySchema = z.strictObject({
  scopes: z.array(z.enum(["send", "read", "admin"])).check(z.minLength(1), z.maxLength(3)),
  /** "tencent": a SecretId/SecretKey pair for the Tencent-compatible ingress. */
  format: z.optional(z.enum(["bearer", "tencent"])),
});

export const optOutSchema = z.strictObject({
  /** One number, or up to 1,000 at once (`phones`). */
  phone: z.optional(text(1, 32)),
  phones: z.optional(z.array(text(1, 32)).check(z.minLength(1), z.maxLength(1000))),
  sign: z.optional(sign),
  /** The SMS type blocked; "*" (default): every type. */
  kind: z._default(z.enum(["verification", "notification", "marketing", "*"]), "*"),
  consent: z.literal(
    true,
    "consent must be true: opt a number out only with its owner's stated consent",
  ),
  note: z.optional(text(0, 256)),
});

/** An amount of the operator's currency: up to 100,000,000 with at most four decimals. */
const money = (min: "zero" | "positive") =>
  z
    .number()
    .check(
      min === "zero" ? z.gte(0) : z.gt(0, "must be more than 0"),
      z.lte(100_000_000),
      z.refine(hasMoneyPrecision, "must have at most 4 decimals"),
    );
/** The price of one segment: more than 0, at most 10,000, at most four decimals. */
const price = z
  .number()
  .check(
    z.gt(0, "must be more than 0"),
    z.lte(10_000),
    z.refine(hasMoneyPrecision, "must have at most 4 decimals"),
  );
const onExhausted = z.optional(z.enum(["stop", "continue"]));

export const packageSchema = z.partial(
  z.strictObject({
    domestic: z.strictObject({
      segments: count,
      alertBelow: z.optional(count),
      onExhausted,
    }),
    international: z.strictObject({
      amount: money("zero"),
      alertPercents: z.optional(
        z.array(z.number().check(z.gte(0), z.lte(100))).check(z.maxLength(5)),
      ),
      prices: z.optional(
        z
          .record(country, price)
          .check(z.refine((p) => Object.keys(p).length <= 250, "must name at most 250 countries")),
      ),
      defaultPrice: z.optional(price),
      onExhausted,
    }),
  }),
);

/** POST …/package/top-ups: positive amounts added to the balances (docs/api.md). */
export const topUpSchema = z
  .strictObject({
    domestic: z.optional(z.strictObject({ segments: whole(1, 100_000_000) })),
    international: z.optional(z.strictObject({ amount: money("positive") })),
  })
  .check(
    z.refine(
      (t) => t.domestic !== undefined || t.international !== undefined,
      "give domestic.segments and/or international.amount to add",
    ),
  );

export const contactSchema = z.strictObject({
  name: text(1, 64),
  phone: text(1, 32),
  email: z.optional(z.email()),
  events: z
    .array(
      z.enum(
        ALERT_EVENTS as [
          "overVolume",
          "limitReached",
          "packageBalance",
          "antiFraud",
          "frequencyLimit",
        ],
      ),
    )
    .check(z.minLength(1), z.maxLength(5)),
});
