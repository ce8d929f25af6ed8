/**
 * Tencent Cloud SMS adapter on the official SDK (tencentcloud-sdk-nodejs-sms only).
 * Outcome mapping verified against the SDK's behaviour recorded in docs/providers/tencent.md §2
 * ("How the SDK handles responses") and exercised against the emulator in tests.
 */
import { sms } from "tencentcloud-sdk-nodejs-sms";
import * as z from "zod/mini";
import { type ErrorCode, isErrorCode } from "../core/errors";
import type { NumberOutcome, Provider, PulledStatus, SendBatch } from "./port";

export interface TencentSettings {
  secretId: string;
  secretKey: string;
  /** "https://sms.tencentcloudapi.com", or the emulator's "http://127.0.0.1:PORT". */
  endpoint: string;
  region: string;
  timeoutSeconds: number;
  /** The SmsSdkAppId used when an app's binding names none. */
  defaultSdkAppId?: string;
}

type SdkClient = InstanceType<typeof sms.v20210111.Client>;

// Codes Tencent answers at request level that mean "not sent, and trying elsewhere is safe".
const THROTTLED = new Set(["RequestLimitExceeded", "LimitExceeded.RequestLimitExceeded"]);
// Request-level codes that do not prove nothing was sent.
const AMBIGUOUS = new Set([
  "InternalError.Timeout",
  "InternalError.SendAndRecvFail",
  "InternalError.UnknownError",
  "InternalError.OtherError",
]);

const sendStatusSchema = z.object({
  SendStatusSet: z.array(
    z.object({
      SerialNo: z.optional(z.string()),
      PhoneNumber: z.string(),
      Fee: z.optional(z.number()),
      Code: z.string(),
      Message: z.optional(z.string()),
      IsoCode: z.optional(z.string()),
    }),
  ),
});

/** Maps a Tencent code onto the catalogue (they share names; the rest are "provider rejected"). */
function mapCode(vendorCode: string): ErrorCode {
  if (
    vendorCode.startsWith("AuthFailure.") ||
    vendorCode === "UnauthorizedOperation.SmsSdkAppIdVerifyFail"
  ) {
    return "FailedOperation.ProviderAuthFailure";
  }
  return isErrorCode(vendorCode) ? vendorCode : "FailedOperation.ProviderRejected";
}

type WithoutTo<T> = T extends unknown ? Omit<T, "to"> : never;

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  httpCode?: number;
  type?: string;
}

/** Turns whatever the SDK threw into one outcome for every number of the batch. */
export function outcomeOfFailure(err: unknown, numbers: string[]): NumberOutcome[] {
  const e = (err ?? {}) as SdkError;
  const message = String(e.message ?? "");
  const all = (o: WithoutTo<NumberOutcome>) => numbers.map((to) => ({ ...o, to }) as NumberOutcome);

  if (e.code) {
    // HTTP 200 with Response.Error: the vendor answered and sent nothing, unless it says
    // it does not know.
    if (AMBIGUOUS.has(e.code)) {
      return all({
        status: "unknown",
        code: "InternalError.ProviderBadResponse",
        vendorCode: e.code,
        message,
      });
    }
    return all({
      status: "refused",
      code: mapCode(e.code),
      vendorCode: e.code,
      message,
      failover: THROTTLED.has(e.code),
    });
  }
  if (e.httpCode) {
    const serverSide = e.httpCode >= 500 || e.httpCode === 429;
    return all({
      status: "refused",
      code: serverSide ? "InternalError.ProviderUnavailable" : "FailedOperation.ProviderRejected",
      vendorCode: `HTTP ${e.httpCode}`,
      message,
      failover: serverSide,
    });
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(message)) {
    // The request never reached the vendor.
    return all({
      status: "refused",
      code: "InternalError.ProviderUnavailable",
      vendorCode: "ECONNREFUSED",
      message,
      failover: true,
    });
  }
  if (/timeout/i.test(message)) {
    return all({
      status: "unknown",
      code: "InternalError.ProviderTimeout",
      vendorCode: "Timeout",
      message,
    });
  }
  // Non-JSON answers (node-fetch FetchError invalid-json), JSON without Response
  // (TypeError), resets mid-request: the vendor may have sent.
  return all({
    status: "unknown",
    code: "InternalError.ProviderBadResponse",
    vendorCode: e.name ?? "Error",
    message,
  });
}

/** Maps a SendStatusSet onto the batch, one outcome per number, in the batch's order. */
export function outcomeOfResponse(response: unknown, numbers: string[]): NumberOutcome[] {
  const parsed = z.safeParse(sendStatusSchema, response);
  if (!parsed.success) {
    return outcomeOfFailure(
      { name: "BadResponse", message: "SendSms answer had no SendStatusSet" },
      numbers,
    );
  }
  const byPhone = new Map(parsed.data.SendStatusSet.map((s) => [s.PhoneNumber, s]));
  return numbers.map((to): NumberOutcome => {
    const s = byPhone.get(to);
    if (!s) {
      return {
        status: "unknown",
        to,
        code: "InternalError.ProviderBadResponse",
        message: "number missing from SendStatusSet",
      };
    }
    // docs/providers/tencent.md §1: success only per item with Code "Ok" (compare case-insensitively, as Logto does).
    if (s.Code.toLowerCase() === "ok" && s.SerialNo) {
      return {
        status: "accepted",
        to,
        serial: s.SerialNo,
        segments: s.Fee ?? 1,
        country: s.IsoCode || "DEF",
      };
    }
    return {
      status: "refused",
      to,
      code: mapCode(s.Code),
      vendorCode: s.Code,
      message: s.Message ?? s.Code,
      failover: false,
    };
  });
}

/**
 * Builds the Tencent provider. The SDK is imported statically, so it loads in INIT (a lazy
 * import() cost the first send its evaluation: docs/performance.md, levers); the client is
 * built once, on the first send.
 */
export function createTencentProvider(settings: TencentSettings): Provider {
  const url = new URL(settings.endpoint);
  let made: Promise<SdkClient> | undefined;
  const sdk = (): Promise<SdkClient> => {
    made ??= Promise.resolve().then(
      () =>
        new sms.v20210111.Client({
          credential: { secretId: settings.secretId, secretKey: settings.secretKey },
          region: settings.region,
          profile: {
            httpProfile: {
              endpoint: url.host,
              protocol: `${url.protocol}//`,
              reqMethod: "POST",
              reqTimeout: settings.timeoutSeconds,
            },
          },
        }),
    );
    return made;
  };

  return {
    name: "tencent",
    maxBatch: 200,

    async send(batch: SendBatch): Promise<NumberOutcome[]> {
      const sdkAppId = batch.binding.sdkAppId ?? settings.defaultSdkAppId;
      if (!sdkAppId) {
        return outcomeOfFailure(
          { code: "InvalidParameterValue.SdkAppIdNotExist", message: "no SmsSdkAppId configured" },
          batch.numbers,
        );
      }
      try {
        const client = await sdk();
        const response = await client.SendSms({
          PhoneNumberSet: batch.numbers,
          SmsSdkAppId: sdkAppId,
          TemplateId: batch.providerTemplateId,
          SignName: batch.sign,
          TemplateParamSet: batch.params,
          SessionContext: batch.reference,
        });
        return outcomeOfResponse(response, batch.numbers);
      } catch (err) {
        return outcomeOfFailure(err, batch.numbers);
      }
    },

    // docs/providers/tencent.md §3: PullSmsSendStatus is a queue (each status once, ≤ 100 a call); used to
    // reconcile sends whose answer timed out — SessionContext carries our request id.
    async pullStatuses(binding): Promise<PulledStatus[]> {
      const sdkAppId = binding.sdkAppId ?? settings.defaultSdkAppId;
      if (!sdkAppId) return [];
      const client = await sdk();
      const response = await client.PullSmsSendStatus({ Limit: 100, SmsSdkAppId: sdkAppId });
      const parsed = z.parse(pulledSchema, response);
      return parsed.PullSmsSendStatusSet.map((p) => ({
        provider: "tencent" as const,
        serial: p.SerialNo,
        phone: p.PhoneNumber,
        delivered: p.ReportStatus === "SUCCESS",
        carrierCode: p.Description,
        receivedAt: new Date(p.UserReceiveTime * 1000).toISOString(),
        reference: p.SessionContext || undefined,
      }));
    },
  };
}

const pulledSchema = z.object({
  PullSmsSendStatusSet: z.array(
    z.object({
      UserReceiveTime: z.number(),
      PhoneNumber: z.string(),
      SerialNo: z.string(),
      ReportStatus: z.enum(["SUCCESS", "FAIL"]),
      Description: z.string(),
      SessionContext: z.optional(z.string()),
    }),
  ),
});
