/** The Tencent emulator's public types: its options, what it is configured with, its handle. */

export type TencentFaultMode = "none" | "timeout" | "http500" | "badjson";

export interface TencentEmulatorOptions {
  /** 0 or undefined → a free port. */
  port?: number;
  /** Default "127.0.0.1"; anything that is not loopback is refused. */
  host?: string;
  credentials: { secretId: string; secretKey: string }[];
  /** Known SdkAppIds. */
  apps?: TencentEmulatorApp[];
  templates?: TencentEmulatorTemplate[];
  /** Delay before status reports are pushed / become pullable, default 300 ms. */
  reportDelayMs?: number;
  /** How long the "timeout" fault holds the response before destroying the socket, default 20 s. */
  timeoutHoldMs?: number;
  /** ms clock for the ±300 s signature check and for timestamps in reports (default Date.now). */
  now?: () => number;
  /** Default: no logging. */
  log?: (line: string) => void;
}

export interface TencentEmulatorApp {
  sdkAppId: string;
  statusCallbackUrl?: string;
  /**
   * The account's reply URL. Tencent allows one per account ("每个腾讯云账号最多可添加1个回复回调
   * URL", docs/providers/tencent.md §4b), so setting it on any app replaces the one reply URL
   * every app's replies go to.
   */
  replyCallbackUrl?: string;
  /**
   * Status callbacks carry `ext` (the send's SessionContext) — only where Tencent has enabled
   * it for the account (docs/providers/tencent.md §4a). Default off, as at Tencent.
   */
  statusExt?: boolean;
  /** If given, SignName must be one of these, else FailedOperation.SignatureIncorrectOrUnapproved. */
  signs?: string[];
}

export interface TencentEmulatorTemplate {
  id: string;
  /** Template text with variables {1}, {2}, … */
  body: string;
  international: boolean;
  /** Verification-code template: every variable 0–6 digits (docs/providers/tencent.md §5.3). */
  verification?: boolean;
  /**
   * Longest value of a non-verification variable: 6 characters by default for accounts opened
   * after 2024-01-25, 12 for older individual ones (docs/providers/tencent.md §5.3). Unset: not
   * checked (the billing tests send long values on purpose).
   */
  maxParamLength?: number;
}

export interface ControlMessage {
  /** Normalised E.164, or the number as sent when it could not be parsed. */
  phone: string;
  /** SerialNo; "" when refused. */
  serial: string;
  templateId: string;
  params: string[];
  sign: string;
  /** "Ok" or the per-number error code. */
  code: string;
  /** ISO time the send was processed. */
  at: string;
  sdkAppId: string;
  fee: number;
  sessionContext: string;
}

export interface TencentEmulator {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** "127.0.0.1:PORT" — what the SDK's httpProfile.endpoint takes. */
  endpoint: string;
  port: number;
  messages(): ControlMessage[];
  setFault(mode: TencentFaultMode): void;
  /** Upsert by sdkAppId; a `replyCallbackUrl` replaces the account's one reply URL. */
  addApp(app: TencentEmulatorApp): void;
  /** The account's one reply URL (undefined: none configured). */
  setReplyUrl(url: string | undefined): void;
  /** Upsert by id. */
  addTemplate(template: TencentEmulatorTemplate): void;
  /** Same as POST /_control/reply; rejects if the push was not acknowledged. */
  reply(input: ReplyInput): Promise<void>;
  /** Clear messages, pending reports (push and pull) and the fault. Apps/templates stay. */
  reset(): void;
  /** Stop the server and all timers; pending pushes are dropped. */
  close(): Promise<void>;
}

export interface ReplyInput {
  phone: string;
  text: string;
  sign?: string;
  sdkAppId?: string;
}
