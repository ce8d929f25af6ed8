/** Templates and signatures: what an app may send, as approved in the vendor consoles. */
import { AppError } from "../core/errors";
import type { Template } from "../core/model";
import type { Route } from "../http/routes";
import { json, parseBody } from "../http/wrapper";
import {
  countVariables,
  DEFAULT_UNSUBSCRIBE_FOOTER,
  isAllVariables,
  isValidIntlSign,
} from "../rules/template";
import { loadApp, nowIso, originOf } from "./access";
import { patchApp } from "./apps";
import { templateSchema } from "./schemas";

const TEMPLATE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function publicTemplate(t: Template) {
  const { appId: _appId, ...rest } = t;
  return rest;
}

export const templateRoutes: Route[] = [
  {
    method: "get",
    path: "/v1/apps/{appId}/templates",
    summary: "List templates",
    access: "read",
    async handle({ deps, appId }) {
      const app = await loadApp(deps, appId);
      return json(200, {
        templates: (await deps.store.listTemplates(app.appId)).map(publicTemplate),
      });
    },
  },
  {
    method: "put",
    path: "/v1/apps/{appId}/templates/{id}",
    summary: "Create or replace a template",
    access: "admin",
    body: templateSchema,
    async handle({ deps, req, appId }) {
      const app = await loadApp(deps, appId);
      const id = req.params.id ?? "";
      const input = parseBody(req, templateSchema);
      if (!TEMPLATE_ID.test(id))
        throw new AppError(
          "InvalidParameter",
          "templateId: use 1–64 letters, digits, '.', '_' or '-'.",
        );
      const variables = countVariables(input.body);
      if (typeof variables !== "number")
        throw new AppError(
          "FailedOperation.TemplateIncorrectOrUnapproved",
          `body: ${variables.error}`,
        );
      if (isAllVariables(input.body))
        throw new AppError(
          "FailedOperation.TemplateIncorrectOrUnapproved",
          "body: a body of only variables is not allowed (不支持全变量); write the fixed text around them.",
        );
      const footer = app.unsubscribeFooter ?? DEFAULT_UNSUBSCRIBE_FOOTER;
      if (input.kind === "marketing" && !input.body.includes(footer)) {
        throw new AppError(
          "FailedOperation.TemplateIncorrectOrUnapproved",
          `body: a marketing template must carry the unsubscribe footer "${footer}".`,
        );
      }
      const now = nowIso(deps);
      const existing = await deps.store.getTemplate(app.appId, id);
      const template: Template = {
        appId: app.appId,
        id,
        ...input,
        variables,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      await deps.store.putTemplate(template);
      return json(200, publicTemplate(template));
    },
  },
  {
    method: "put",
    path: "/v1/apps/{appId}/signatures/{name}",
    summary: "Approve a signature (operator)",
    access: "operator",
    async handle(ctx) {
      const name = ctx.req.params.name ?? "";
      // Mainland signatures are 2–12 CJK, letters or digits; international ones may be brand
      // names ("Tencent Cloud"); a send checks the form its region needs.
      if (!isValidIntlSign(name))
        throw new AppError("FailedOperation.SignatureIncorrectOrUnapproved");
      const { app, etag } = await patchApp(
        ctx.deps,
        ctx.principal,
        (current) => ({
          signatures: current.signatures.includes(name)
            ? current.signatures
            : [...current.signatures, name],
        }),
        originOf(ctx),
        ctx.appId,
        ctx.req.headers["if-match"],
      );
      return json(200, app, { etag });
    },
  },
];
