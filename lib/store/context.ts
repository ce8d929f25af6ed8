/** The one round trip before a request can do anything: key, app, template, opt-outs. */
import type { ApiKeyRecord, App, OptOutEntry, Template } from "../core/model";
import { type StoreContext, strip } from "./items";
import { keys } from "./keys";
import { optOutsOf } from "./optouts";

/** What an API request needs before it can do anything: key, app and (optionally) template. */
export interface RequestContext {
  apiKey?: ApiKeyRecord;
  app?: App;
  template?: Template;
  /** Opt-out entries by E.164, when numbers were asked for. */
  optOuts: Map<string, OptOutEntry[]>;
}

export function contextStore({ db }: StoreContext) {
  return {
    /** One round trip: the caller's key, its app and the template it names. */
    async loadRequestContext(
      keyHash: string,
      appId: string | undefined,
      templateId?: string,
      phones: string[] = [],
    ): Promise<RequestContext> {
      const wanted = [keys.apiKey(keyHash)];
      if (appId) wanted.push(keys.app(appId));
      if (appId && templateId) wanted.push(keys.template(appId, templateId));
      if (appId) wanted.push(...phones.map((p) => keys.optOut(appId, p)));
      const items = await db.batchGet(wanted);
      const byType = (t: string) => items.find((i) => i.type === t);
      const optOuts = new Map<string, OptOutEntry[]>();
      for (const i of items) if (i.type === "OptOut") optOuts.set(String(i.phone), optOutsOf(i));
      return {
        apiKey: strip<ApiKeyRecord>(byType("ApiKey"), ["ApiKey", "ApiKeyRef"]),
        app: strip<App>(byType("App"), "App"),
        template: strip<Template>(byType("Template"), "Template"),
        optOuts,
      };
    },
  };
}
