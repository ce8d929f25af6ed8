/** The prepaid package: what was bought and what remains, in segments. */
import type { Deps } from "../core/deps";
import type { Route } from "../http/routes";
import { json, parseBody } from "../http/wrapper";
import { loadApp, nowIso } from "./access";
import { packageSchema } from "./schemas";

async function packageView(deps: Deps, appId: string) {
  const app = await loadApp(deps, appId);
  const balance = await deps.store.readPackage(appId);
  return { purchased: app.package ?? {}, remaining: balance ?? {} };
}

export const packageRoutes: Route[] = [
  {
    method: "get",
    path: "/v1/apps/{appId}/package",
    summary: "Prepaid package: purchased and remaining",
    access: "read",
    async handle({ deps, appId }) {
      return json(200, await packageView(deps, appId));
    },
  },
  {
    method: "put",
    path: "/v1/apps/{appId}/package",
    summary: "Set the prepaid package (operator)",
    access: "operator",
    body: packageSchema,
    async handle({ deps, req, appId }) {
      const app = await loadApp(deps, appId);
      const input = parseBody(req, packageSchema);
      const at = nowIso(deps);
      await deps.store.setPackage(
        appId,
        { domestic: input.domestic?.segments, international: input.international?.amount },
        at,
      );
      await deps.store.updateApp(appId, {
        package: { ...app.package, ...input, setAt: at },
        updatedAt: at,
      });
      return json(200, await packageView(deps, appId));
    },
  },
];
