/**
 * HTTP helpers of the emulators: JSON values, answers with an exact Content-Length and
 * case-insensitive header look-ups.
 */
import type { OutgoingHttpHeaders, ServerResponse } from "node:http";

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Received headers; keys in any case (node:http lower-cases them, test vectors may not). */
export type HeaderBag = Record<string, string | string[] | undefined>;

/** A header by lower-case name in any key case; repeated, its values joined by ",". */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    return Array.isArray(value) ? value.join(",") : value;
  }
  return undefined;
}

/** The first value of a header as node:http parsed it (name lower-case). */
export function firstHeader(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  extra: OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  contentType = "application/json",
  extra: OutgoingHttpHeaders = {},
): void {
  sendText(res, status, contentType, JSON.stringify(payload), extra);
}
