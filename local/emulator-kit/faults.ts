/**
 * Failure on demand, the same for every vendor: fault modes that replace or withhold a whole
 * answer (POST /_control/faults) and simulator numbers whose suffix picks a per-number outcome.
 */
import type { ServerResponse } from "node:http";
import { sendText } from "./http";

export type FaultMode = "none" | "timeout" | "http500" | "badjson";

export const FAULT_MODES: readonly FaultMode[] = ["none", "timeout", "http500", "badjson"];

export function isFaultMode(value: unknown): value is FaultMode {
  return FAULT_MODES.includes(value as FaultMode);
}

/**
 * Answers a vendor request for the faults that replace the answer ("http500", "badjson").
 * Returns false when the request is to be processed ("none", "timeout").
 */
export function answerFault(res: ServerResponse, fault: FaultMode): boolean {
  if (fault === "http500") {
    sendText(res, 500, "text/plain", "Internal Server Error");
    return true;
  }
  if (fault === "badjson") {
    sendText(res, 200, "text/html", "<html>oops");
    return true;
  }
  return false;
}

/**
 * Simulator numbers: ending in 444 — accepted, never reported; 44 — refused by the vendor;
 * 4 — accepted, then reported undelivered; anything else is delivered. Longest suffix wins.
 */
export type SimulatorBehaviour = "deliver" | "undeliverable" | "refuse" | "silent";

export function simulatorBehaviour(phone: { e164: string }): SimulatorBehaviour {
  if (phone.e164.endsWith("444")) return "silent";
  if (phone.e164.endsWith("44")) return "refuse";
  if (phone.e164.endsWith("4")) return "undeliverable";
  return "deliver";
}
