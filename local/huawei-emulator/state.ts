/**
 * What the Huawei emulator holds: credentials (apps), channel numbers, templates, recorded
 * messages and who last sent to each number; and the outcome of a send to one number —
 * refused with a status, or accepted with an smsMsgId and its billed segments
 * (docs/providers/huawei.md §2.1, §2.3; cited below as "docs/providers/huawei.md §n").
 */
import { randomUUID } from "node:crypto";
import { ControlError } from "../emulator-kit/control";
import { EmulatorCoreBase } from "../emulator-kit/core";
import { simulatorBehaviour } from "../emulator-kit/faults";
import { renderTemplate } from "../emulator-kit/templates";
import { internationalSegments, mainlandSegments } from "../tencent-emulator/fee";
import type { Phone } from "./phone";
import type {
  ControlMessage,
  HuaweiEmulatorCredential,
  HuaweiEmulatorOptions,
  HuaweiEmulatorSender,
  HuaweiEmulatorTemplate,
} from "./types";
import { numberStatus, requestStatus, type SendForm, STATUS, VARIABLE } from "./validate";
import { wsseCreated } from "./wsse";

/** smsMsgId like the doc examples, `uuid_number` (docs/providers/huawei.md §2.3, §8). */
let msgCounter = 0;
export function newSmsMsgId(): string {
  msgCounter += 1;
  return `${randomUUID()}_${msgCounter}`;
}

/**
 * Billed segments (`total`), computed independently of lib/ with the shared emulator rules
 * (local/tencent-emulator/fee.ts): docs/providers/huawei.md §6.6 "up to 70 characters is one SMS; beyond
 * that every 67 characters count one; signature characters included" — counted as
 * 【signature】 for the mainland; international: GSM-7 160/153, else UCS-2 70/67, no signature
 * (docs/providers/huawei.md §2.1: `signature` is ignored for international).
 */
function segmentsFor(body: string, phone: Phone, sign: string): number {
  return phone.mainland ? mainlandSegments(body, sign || undefined) : internationalSegments(body);
}

/** One number's entry of the answer's `result` (docs/providers/huawei.md §2.3). */
export interface SmsId {
  originTo: string;
  createTime: string;
  from: string;
  smsMsgId?: string;
  status: string;
  countryId?: string;
  total: number;
}

/** What one request resolved to, shared by all its numbers. */
export interface SendContext {
  form: SendForm;
  sender: HuaweiEmulatorSender | undefined;
  template: HuaweiEmulatorTemplate | undefined;
  /** The signature the message carries. */
  sign: string;
  /** A per-request status that refuses every number (unknown sender/template, …). */
  requestStatus: string | undefined;
  createTime: string;
  at: string;
  appKey: string;
}

/** The status of one number: the vendor's checks, then the simulator numbers. */
function statusOf(context: SendContext, phone: Phone | undefined): string {
  if (!phone) return STATUS.badNumber;
  const problem = numberStatus(context, phone);
  if (problem) return problem;
  // Simulator "44": refused per number. docs/providers/huawei.md §2.3 documents no blacklist status for
  // the send answer; E200015 is the one documented refusal that depends on the recipient.
  if (simulatorBehaviour(phone) === "refuse") return STATUS.tooMany;
  return STATUS.ok;
}

export class HuaweiState extends EmulatorCoreBase<ControlMessage> {
  private readonly credentialsByKey = new Map<string, HuaweiEmulatorCredential>();
  private readonly sendersByNumber = new Map<string, HuaweiEmulatorSender>();
  private readonly templatesById = new Map<string, HuaweiEmulatorTemplate>();
  /** Last app and channel that sent to a number, to route replies (docs/providers/huawei.md §5: to + from). */
  private readonly lastSender = new Map<string, { appKey: string; sender: string }>();

  constructor(options: HuaweiEmulatorOptions) {
    super("huawei-emulator", options);
    for (const credential of options.credentials) {
      this.credentialsByKey.set(credential.appKey, { ...credential });
    }
    for (const sender of options.senders ?? []) this.addSender(sender);
    for (const template of options.templates ?? []) this.addTemplate(template);
  }

  // --- configuration -------------------------------------------------------------------------

  /** By app_key: the secret for auth.ts, the reply URL for pushes.ts. */
  get credentials(): ReadonlyMap<string, HuaweiEmulatorCredential> {
    return this.credentialsByKey;
  }

  /** By channel number. */
  get senders(): ReadonlyMap<string, HuaweiEmulatorSender> {
    return this.sendersByNumber;
  }

  addSender(sender: HuaweiEmulatorSender): void {
    this.sendersByNumber.set(sender.sender, { ...sender });
  }

  addTemplate(template: HuaweiEmulatorTemplate): void {
    this.templatesById.set(template.id, { ...template });
  }

  setReplyUrl(appKey: string, url: string): void {
    const credential = this.credentialsByKey.get(appKey);
    if (!credential) throw new ControlError(404, `unknown appKey ${appKey}`);
    credential.replyCallbackUrl = url;
  }

  /** Also forgets reply routing. */
  override reset(): void {
    super.reset();
    this.lastSender.clear();
  }

  // --- sends ---------------------------------------------------------------------------------

  /** Sender, template and signature checks that apply to every number of the request. */
  sendContext(form: SendForm, appKey: string, now: number): SendContext {
    const sender = this.sendersByNumber.get(form.from);
    const template = this.templatesById.get(form.templateId);
    // docs/providers/huawei.md §2.1 `signature`: only a universal template takes it; otherwise the
    // channel's own signature is what the handset shows.
    const sign = template?.universal ? form.signature : (sender?.signature ?? form.signature);
    return {
      form,
      sender,
      template,
      sign,
      requestStatus: requestStatus(form, sender, template),
      createTime: wsseCreated(now),
      at: new Date(now).toISOString(),
      appKey,
    };
  }

  /** Outcome for one number (`raw` as sent, `phone` parsed), recorded for /_control/messages. */
  sendOne(context: SendContext, raw: string, phone: Phone | undefined): SmsId {
    const status = statusOf(context, phone);
    const { form } = context;
    const item: SmsId = {
      originTo: raw,
      createTime: context.createTime,
      from: form.from,
      status,
      total: 0,
    };
    if (phone?.countryId) item.countryId = phone.countryId;
    if (status === STATUS.ok && phone && context.template) {
      item.smsMsgId = newSmsMsgId();
      item.total = segmentsFor(
        renderTemplate(context.template.body, form.params, VARIABLE),
        phone,
        context.sign,
      );
      this.lastSender.set(phone.e164, { appKey: context.appKey, sender: form.from });
    }
    this.recorded.push({
      phone: raw,
      serial: item.smsMsgId ?? "",
      templateId: form.templateId,
      params: [...form.params],
      sign: context.sign,
      code: status,
      at: context.at,
      fee: item.total,
      extend: form.extend,
      sender: form.from,
    });
    this.log(`huawei-emulator: batchSendSms ${raw} → ${status}`);
    return item;
  }

  /** The app and channel number that last sent to a number (E.164), if any. */
  lastSenderTo(e164: string): { appKey: string; sender: string } | undefined {
    return this.lastSender.get(e164);
  }
}
