/**
 * What the Tencent emulator holds: credentials, registered apps and templates, recorded
 * messages, reports waiting to be pushed or pulled and who last sent to each number; and the
 * outcome of a send to one number — refused, or accepted with a serial number and fee
 * (docs/providers/tencent.md §1.2, §1.3; cited below as "docs/providers/tencent.md §n").
 */
import { randomInt } from "node:crypto";
import { EmulatorCoreBase } from "../emulator-kit/core";
import { simulatorBehaviour } from "../emulator-kit/faults";
import { renderTemplate, TEMPLATE_VARIABLE } from "../emulator-kit/templates";
import { feeFor } from "./fee";
import { isoCodeFor, type Phone } from "./phone";
import type {
  ControlMessage,
  TencentEmulatorApp,
  TencentEmulatorOptions,
  TencentEmulatorTemplate,
} from "./types";
import type { ApiError, SendRequest } from "./validate";

const SERIAL_PREFIX = "2433:"; // docs/providers/tencent.md §1.2, §7.5: SerialNo looks like "<n>:<digits>"

/** Serial numbers: prefix + random digits + a counter so they never repeat. */
let serialCounter = 0;
function newSerialNo(): string {
  serialCounter += 1;
  const random = String(randomInt(0, 1e12)).padStart(12, "0");
  return `${SERIAL_PREFIX}${random}${String(serialCounter).padStart(10, "0")}`;
}

/** One number's entry of SendStatusSet (docs/providers/tencent.md §1.2). */
export interface SendStatus {
  SerialNo: string;
  PhoneNumber: string;
  Fee: number;
  SessionContext: string;
  Code: string;
  Message: string;
  IsoCode: string;
}

/** A status report waiting for the report delay (pushes.ts). */
export interface PendingReport {
  batch: number;
  /** Date.now() when the report becomes due. */
  dueAt: number;
  sdkAppId: string;
  phone: Phone;
  serial: string;
  delivered: boolean;
  sessionContext: string;
}

/** One entry of PullSmsSendStatusSet (docs/providers/tencent.md §3). */
export interface PullStatus {
  UserReceiveTime: number;
  CountryCode: string;
  SubscriberNumber: string;
  PhoneNumber: string;
  SerialNo: string;
  ReportStatus: "SUCCESS" | "FAIL";
  Description: "DELIVRD" | "UNDELIV";
  SessionContext: string;
}

/** docs/providers/tencent.md §1.3, failure of one number: SerialNo "", Fee 0, IsoCode "". */
function refused(request: SendRequest, phone: string, code: string, message: string): SendStatus {
  return {
    SerialNo: "",
    PhoneNumber: phone,
    Fee: 0,
    SessionContext: request.sessionContext,
    Code: code,
    Message: message,
    IsoCode: "",
  };
}

export class TencentState extends EmulatorCoreBase<ControlMessage> {
  private readonly secretKeysById = new Map<string, string>();
  private readonly appsById = new Map<string, TencentEmulatorApp>();
  private readonly templatesById = new Map<string, TencentEmulatorTemplate>();
  private pending: PendingReport[] = [];
  private readonly pullQueues = new Map<string, PullStatus[]>();
  /** Last app/sign that sent to a number, to route replies (docs/providers/tencent.md §4b: no sid in replies). */
  private readonly lastSender = new Map<string, { sdkAppId: string; sign: string }>();
  private batchCounter = 0;

  constructor(options: TencentEmulatorOptions) {
    super("tencent-emulator", options);
    for (const { secretId, secretKey } of options.credentials) {
      this.secretKeysById.set(secretId, secretKey);
    }
    for (const app of options.apps ?? []) this.addApp(app);
    for (const template of options.templates ?? []) this.addTemplate(template);
  }

  // --- configuration -------------------------------------------------------------------------

  /** SecretId → SecretKey, for auth.ts. */
  get secretKeys(): ReadonlyMap<string, string> {
    return this.secretKeysById;
  }

  /** By SdkAppId. */
  get apps(): ReadonlyMap<string, TencentEmulatorApp> {
    return this.appsById;
  }

  /** By template id. */
  get templates(): ReadonlyMap<string, TencentEmulatorTemplate> {
    return this.templatesById;
  }

  addApp(app: TencentEmulatorApp): void {
    const { replyCallbackUrl, ...rest } = app;
    this.appsById.set(app.sdkAppId, { ...rest, signs: app.signs ? [...app.signs] : undefined });
    if (replyCallbackUrl !== undefined) this.replyCallbackUrl = replyCallbackUrl;
  }

  /** One reply URL per account, not per app (docs/providers/tencent.md §4b). */
  replyCallbackUrl: string | undefined;

  addTemplate(template: TencentEmulatorTemplate): void {
    this.templatesById.set(template.id, { ...template });
  }

  /** Also drops pending reports, pull queues and reply routing. */
  override reset(): void {
    super.reset();
    this.pending = [];
    this.pullQueues.clear();
    this.lastSender.clear();
  }

  // --- sends ---------------------------------------------------------------------------------

  /** Outcome for one number; records it for GET /_control/messages. */
  sendOne(
    request: SendRequest,
    raw: string,
    phone: Phone | undefined,
    paramProblem: ApiError | undefined,
    at: string,
  ): SendStatus {
    let status: SendStatus;
    if (!phone) {
      status = refused(
        request,
        raw,
        "InvalidParameterValue.IncorrectPhoneNumber",
        "incorrect phone number format",
      );
    } else if (paramProblem) {
      status = refused(request, phone.e164, paramProblem.code, paramProblem.message);
    } else if (simulatorBehaviour(phone) === "refuse") {
      status = refused(
        request,
        phone.e164,
        "FailedOperation.PhoneNumberInBlacklist",
        "the phone number is on the blacklist (the user unsubscribed)",
      );
    } else {
      status = {
        SerialNo: newSerialNo(),
        PhoneNumber: phone.e164,
        Fee: feeFor({
          body: renderTemplate(request.template.body, request.params, TEMPLATE_VARIABLE),
          sign: request.sign || undefined,
          international: !phone.mainland,
        }),
        SessionContext: request.sessionContext,
        Code: "Ok",
        Message: "send success",
        IsoCode: isoCodeFor(phone),
      };
      this.lastSender.set(phone.e164, { sdkAppId: request.app.sdkAppId, sign: request.sign });
    }
    this.recorded.push({
      phone: status.PhoneNumber,
      serial: status.SerialNo,
      templateId: request.template.id,
      params: [...request.params],
      sign: request.sign,
      code: status.Code,
      at,
      sdkAppId: request.app.sdkAppId,
      fee: status.Fee,
      sessionContext: request.sessionContext,
    });
    this.log(`tencent-emulator: SendSms ${status.PhoneNumber} → ${status.Code}`);
    return status;
  }

  /** The app and sign that last sent to a number (E.164), if any. */
  lastSenderTo(e164: string): { sdkAppId: string; sign: string } | undefined {
    return this.lastSender.get(e164);
  }

  // --- status reports --------------------------------------------------------------------------

  /** A new batch number: the reports of one SendSms share it. */
  nextBatch(): number {
    return ++this.batchCounter;
  }

  addPending(reports: PendingReport[]): void {
    for (const report of reports) this.pending.push(report);
  }

  /** Removes and returns this batch's reports and any others due by nowMs (real time). */
  takeDue(batch: number, nowMs: number): PendingReport[] {
    const due = this.pending.filter((report) => report.batch === batch || report.dueAt <= nowMs);
    this.pending = this.pending.filter((report) => !due.includes(report));
    return due;
  }

  /** Appends to an app's PullSmsSendStatus queue. */
  addPullable(sdkAppId: string, statuses: PullStatus[]): void {
    const queue = this.pullQueues.get(sdkAppId) ?? [];
    for (const status of statuses) queue.push(status);
    this.pullQueues.set(sdkAppId, queue);
  }

  /** docs/providers/tencent.md §3 PullSmsSendStatus: each status is returned once, oldest first. */
  takePullable(sdkAppId: string, limit: number): PullStatus[] {
    const queue = this.pullQueues.get(sdkAppId) ?? [];
    return queue.splice(0, limit);
  }
}
