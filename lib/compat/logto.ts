/**
 * Logto's HTTP SMS connector (docs/api.md "Drop-in compatibility"): the connector POSTs
 * `{"to","type","payload":{"code",…},"ip"?}` with the Authorization header it is configured
 * with, and treats any non-2xx answer as a failure, showing the body. `type` (SignIn,
 * Register, …) picks the template through the app's `usageTemplates`; the code is `{1}`.
 * `ip`, the end user's address as Logto saw it, is held to the app's optional per-IP limits
 * (`frequency.perIp`) before anything else is reserved: a sign-in page is where SMS bombing
 * comes from, and neither Logto nor the vendor consoles limit by client.
 */
import { isIP } from "node:net";
import * as z from "zod/mini";
import { AppError, isErrorCode } from "../core/errors";
import { sha256Hex } from "../core/ids";
import { dayOf } from "../core/time";
import { appIdOfKey, authorize, bearer, requireEnabled, resolvePrincipal } from "../http/auth";
import type { Route } from "../http/routes";
import { errorResponse, json, parseBody } from "../http/wrapper";
import { hasIpLimits } from "../rules/ip-limits";
import { submit } from "./send";

export const logtoBodySchema = z.object({
  to: z.string().check(z.minLength(1), z.maxLength(32)),
  type: z.string().check(z.minLength(1), z.maxLength(32)),
  payload: z.object({
    code: z.string().check(z.minLength(1), z.maxLength(16)),
  }),
  ip: z.optional(
    z.string().check(z.refine((ip) => isIP(ip) !== 0, "must be an IPv4 or IPv6 address")),
  ),
});

/** Logto writes numbers as digits with their country code and no "+" (8613800138000). */
export const logtoNumber = (to: string): string => (/^\d{6,20}$/.test(to) ? `+${to}` : to);

export const logtoRoute: Route = {
  method: "post",
  path: "/v1/compat/logto",
  summary: "Logto HTTP SMS connector: send a verification code by Logto message type",
  access: "send",
  body: logtoBodySchema,
  // Key and app load in one read, since the app's usageTemplates and perIp are needed first.
  authenticatesItself: true,
  async handle({ deps, req }) {
    const key = bearer(req.headers);
    const body = parseBody(req, logtoBodySchema);
    const ctx = await deps.store.loadRequestContext(sha256Hex(key), appIdOfKey(key));
    const principal = resolvePrincipal(key, ctx.apiKey, deps.config.SMSGATE_ADMIN_KEY);
    if (principal.appId === "*")
      throw new AppError(
        "AuthFailure.UnauthorizedOperation",
        "Configure the connector with an app key; the operator key cannot send.",
      );
    authorize(principal, "send");
    const app = requireEnabled(ctx.app);
    const template = app.usageTemplates?.[body.type];
    if (!template)
      throw new AppError(
        "InvalidParameterValue.UsageType",
        `No template for Logto type "${body.type}"; set usageTemplates.${body.type} on the app (PATCH /v1/apps/${app.appId}).`,
      );
    const limits = app.frequency.perIp;
    if (body.ip && hasIpLimits(limits)) {
      const now = deps.clock.now();
      const refused = await deps.store.reserveIp(
        app.appId,
        body.ip,
        dayOf(now, app.timeZone),
        limits,
        now,
      );
      if (refused) throw new AppError(refused);
    }
    const sent = await submit(deps, {
      key,
      to: [logtoNumber(body.to)],
      template,
      params: [body.payload.code],
      context: `logto:${body.type}`,
      requestId: req.requestId,
      origin: req.origin,
    });
    const m = sent.messages[0];
    if (m?.status === "submitted") return json(200, sent);
    // The vendor did not answer: it may have sent, so Logto should not resend at once.
    if (m?.status === "unknown") return json(202, sent);
    const code = m && isErrorCode(m.code) ? m.code : "FailedOperation.ProviderRejected";
    return errorResponse(new AppError(code, m?.message), req.requestId);
  },
};
