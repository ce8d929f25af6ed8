/** An app's templates. */
import type { Template } from "../core/model";
import { type StoreContext, strip } from "./items";
import { keys } from "./keys";

export function templatesStore({ db }: StoreContext) {
  return {
    async putTemplate(t: Template): Promise<void> {
      await db.put({ ...keys.template(t.appId, t.id), type: "Template", ...t });
    },

    async getTemplate(appId: string, templateId: string): Promise<Template | undefined> {
      return strip<Template>(await db.get(keys.template(appId, templateId)), "Template");
    },

    async listTemplates(appId: string): Promise<Template[]> {
      const { items } = await db.query({
        pk: keys.app(appId).pk,
        skBeginsWith: keys.templatePrefix(),
      });
      return items.map((i) => strip<Template>(i, "Template") as Template);
    },
  };
}
