/**
 * The events apps are owed, as outbox entries (lib/store/outbox.ts): a reply (`message.reply`)
 * and each subscribed status change of a message (`message.status`). Pure: the body is fixed
 * here, once, so every attempt sends the same bytes under the same `webhook-id`.
 */
import type { App, StatusEvent, StatusTransition, StoredReply } from "../core/model";
import { STATUS_EVENTS } from "../core/model";
import { keys } from "../store/keys";
import type { OutboxEvent } from "../store/outbox";
import { eventBody } from "./index";

export type { StatusTransition };

/** The body the app receives for a reply. */
export function replyEvent(r: StoredReply): string {
  return eventBody("message.reply", {
    id: r.id,
    appId: r.appId,
    phone: r.phone,
    text: r.text,
    sign: r.sign ?? null,
    provider: r.provider,
    receivedAt: r.receivedAt,
    optedOut: r.optedOut,
  });
}

/** A reply's outbox entry: `webhook-id` is the reply's id, as before the outbox. */
export function replyOutboxEvent(r: StoredReply): OutboxEvent {
  return {
    appId: r.appId,
    subject: `R${r.id}`,
    order: "0#reply",
    hook: "reply",
    webhookId: r.id,
    body: replyEvent(r),
    reply: keys.reply(r.appId, r.phone, r.receivedAt, r.id),
  };
}

/** Send-time statuses come first in a message's order; a final status after them. */
const RANK: Record<StatusEvent, number> = {
  submitted: 1,
  failed: 1,
  delivered: 2,
  undelivered: 2,
  expired: 2,
};

export const isStatusEvent = (s: string): s is StatusEvent =>
  (STATUS_EVENTS as readonly string[]).includes(s);

/** The outbox entries of an app's transitions that its statusWebhook subscribes to. */
export function statusEvents(app: App | undefined, transitions: StatusTransition[]): OutboxEvent[] {
  const hook = app?.statusWebhook;
  if (!hook) return [];
  const wanted = new Set<string>(hook.events ?? STATUS_EVENTS);
  return transitions
    .filter((t) => t.record.appId === app.appId && wanted.has(t.status))
    .map(({ record: r, status, code, at }) => ({
      appId: r.appId,
      subject: `M${r.id}`,
      order: `${RANK[status]}#${status}`,
      hook: "status" as const,
      webhookId: `${r.id}_${status}`,
      body: eventBody("message.status", {
        id: r.id,
        to: r.to,
        status,
        code,
        context: r.context ?? null,
        template: r.template,
        sign: r.sign ?? null,
        provider: r.provider,
        providerMessageId: r.providerMessageId ?? null,
        at,
      }),
    }));
}
