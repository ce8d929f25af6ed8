/**
 * The Huawei emulator's public types: its options, what it is configured with, its handle
 * (docs/providers/huawei.md; cited below as "docs/providers/huawei.md §n").
 */

export type HuaweiFaultMode = "none" | "timeout" | "http500" | "badjson";

export interface HuaweiEmulatorCredential {
  appKey: string;
  appSecret: string;
  /** The app's 上行短信接收地址 (docs/providers/huawei.md §5: set per application, not per request). */
  replyCallbackUrl?: string;
}

/** A channel number (通道号) the platform gave a signature (docs/providers/huawei.md §2.1 `from`). */
export interface HuaweiEmulatorSender {
  sender: string;
  /** The signature behind the channel; prefixed as 【signature】 on mainland SMS. */
  signature?: string;
  /** International channel: sends only outside the mainland; mainland channels only to +86. */
  international?: boolean;
}

export interface HuaweiEmulatorTemplate {
  id: string;
  /** Template text with variables {1}, {2}, … (Huawei's own ${1} form is accepted too). */
  body: string;
  /** If given, only this channel number may use the template. */
  sender?: string;
  /** Universal (通用) template: no fixed signature, `signature` required (docs/providers/huawei.md §2.1, §6.2). */
  universal?: boolean;
  /** Verification-code template: one variable, at most 8 characters (docs/providers/huawei.md §6.2). */
  verification?: boolean;
  /** Variables registered as TEXT/MONEY: each 1–20 characters, TEXT without . 。 ' < > { } (docs/providers/huawei.md §6.3). */
  typedVariables?: boolean;
}

export interface HuaweiEmulatorOptions {
  /** 0 or undefined → a free port. */
  port?: number;
  /** Default "127.0.0.1"; anything that is not loopback is refused. */
  host?: string;
  credentials: HuaweiEmulatorCredential[];
  senders?: HuaweiEmulatorSender[];
  templates?: HuaweiEmulatorTemplate[];
  /** Delay before status reports are pushed, default 300 ms. */
  reportDelayMs?: number;
  /** How long the "timeout" fault holds the response before destroying the socket, default 20 s. */
  timeoutHoldMs?: number;
  /** ms clock for the ±24 h Created check and all vendor timestamps (default Date.now). */
  now?: () => number;
  /** Default: no logging. */
  log?: (line: string) => void;
}

export interface ControlMessage {
  /** The number as sent (`originTo`). */
  phone: string;
  /** smsMsgId; "" when refused. */
  serial: string;
  templateId: string;
  params: string[];
  /** The signature the message carries ("" if none is known). */
  sign: string;
  /** "000000" or the per-number status code. */
  code: string;
  /** ISO time the send was processed. */
  at: string;
  /** Billed segments (`total`); 0 when refused. */
  fee: number;
  extend: string;
  /** The channel number (`from`). */
  sender: string;
}

export interface ReplyInput {
  phone: string;
  text: string;
  /** Picks the channel number (`to`) whose signature this is. */
  sign?: string;
  appKey?: string;
}

export interface HuaweiEmulator {
  /** "http://127.0.0.1:PORT" — the adapter's `endpoint`. */
  url: string;
  port: number;
  messages(): ControlMessage[];
  setFault(mode: HuaweiFaultMode): void;
  /** Upsert by id. */
  addTemplate(template: HuaweiEmulatorTemplate): void;
  /** Upsert by channel number. */
  addSender(sender: HuaweiEmulatorSender): void;
  /** Sets an app's reply callback URL; throws for an unknown appKey. */
  setReplyUrl(appKey: string, url: string): void;
  /** Same as POST /_control/reply; rejects if the push was not acknowledged. */
  reply(input: ReplyInput): Promise<void>;
  /** Clear messages, pending reports and the fault. Credentials, senders, templates stay. */
  reset(): void;
  /** Stop the server and all timers; pending pushes are dropped. */
  close(): Promise<void>;
}
