/** Alert contacts (≤ 5 per app) and the history of the alerts they were sent. */
import { AppError } from "../core/errors";
import { noContent, type Route } from "../http/routes";
import { json, parseBody } from "../http/wrapper";
import { loadApp, nowIso, phoneParam } from "./access";
import { contactSchema } from "./schemas";

export const contactRoutes: Route[] = [
  {
    method: "get",
    path: "/v1/apps/{appId}/contacts",
    summary: "Alert contacts",
    access: "read",
    async handle({ deps, appId }) {
      const app = await loadApp(deps, appId);
      return json(200, { contacts: Object.values(app.contacts ?? {}) });
    },
  },
  {
    method: "put",
    path: "/v1/apps/{appId}/contacts/{id}",
    summary: "Add or replace an alert contact (≤ 5)",
    access: "admin",
    body: contactSchema,
    async handle({ deps, req, appId }) {
      await loadApp(deps, appId);
      const id = req.params.id ?? "";
      const input = parseBody(req, contactSchema);
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(id))
        throw new AppError("InvalidParameter", "contactId: use 1–32 letters, digits, '_' or '-'.");
      const contact = { id, ...input, phone: phoneParam(input.phone) };
      const saved = await deps.store.putInAppMap(appId, "contacts", id, contact, nowIso(deps));
      if (saved === "full") throw new AppError("LimitExceeded.AlertContactLimit");
      return json(200, contact);
    },
  },
  {
    method: "delete",
    path: "/v1/apps/{appId}/contacts/{id}",
    summary: "Remove an alert contact",
    access: "admin",
    ok: 204,
    async handle({ deps, req, appId }) {
      await loadApp(deps, appId);
      await deps.store.removeFromAppMap(appId, "contacts", req.params.id ?? "", nowIso(deps));
      return noContent();
    },
  },
  {
    method: "get",
    path: "/v1/apps/{appId}/alerts",
    summary: "Alert history",
    access: "read",
    async handle({ deps, appId }) {
      await loadApp(deps, appId);
      const items = await deps.store.listAlerts(appId);
      return json(200, {
        alerts: items.map((a) => ({
          key: a.key,
          event: a.event,
          code: a.code,
          subject: a.subject,
          value: a.value,
          threshold: a.threshold,
          at: a.createdAt,
          updatedAt: a.updatedAt,
          // done: every subscribed contact reached; pending: a delivery failed and the
          // checker retries it while the alert's period lasts (docs/api.md).
          state: a.doneAt || !a.deliveries ? "done" : "pending",
          attempts: a.attempts ?? 1,
          // Markers written before deliveries were tracked per channel hold `sent` (SMS only).
          sent: a.deliveries
            ? Object.values(a.deliveries as Record<string, object>)
            : ((a.sent as object[] | undefined) ?? []).map((d) => ({ channel: "sms", ...d })),
        })),
      });
    },
  },
];
