/**
 * Callback-token rotation: after a token leaks, the app gets new callback URLs at once and the
 * previous token keeps working for 7 days, so the vendor consoles can be updated without
 * losing a report or a reply in between.
 */
import { AppError } from "../core/errors";
import { PREVIOUS_TOKEN_VALID_MS } from "../core/secrets";
import type { Route } from "../http/routes";
import { json } from "../http/wrapper";
import { appCallbackUrls, loadApp, nowIso, originOf } from "./access";

export const callbackTokenRoutes: Route[] = [
  {
    method: "post",
    path: "/v1/apps/{appId}/callback-tokens",
    summary: "Rotate the app's callback token (the previous one works 7 more days)",
    access: "admin",
    ok: 201,
    async handle(ctx) {
      const { deps, appId } = ctx;
      const app = await loadApp(deps, appId);
      const current = app.callbackTokens?.current ?? 0;
      const validUntil = new Date(deps.clock.now() + PREVIOUS_TOKEN_VALID_MS).toISOString();
      const next = { current: current + 1, previous: { generation: current, validUntil } };
      if (!(await deps.store.rotateCallbackTokens(appId, next, nowIso(deps))))
        throw new AppError(
          "FailedOperation.ConcurrentModification",
          "Another rotation of this app's callback token just happened; read the app again.",
        );
      return json(201, {
        callbackUrls: appCallbackUrls(deps, { ...app, callbackTokens: next }, originOf(ctx)),
        previousValidUntil: validUntil,
      });
    },
  },
];
