/**
 * Tencent-style credentials (docs/api.md "Drop-in compatibility"): one item by SecretId,
 * beside the ordinary key it acts as (lib/store/apps.ts createApiKey), so revoking the key
 * revokes both.
 */
import type { App, Template, TencentCredential } from "../core/model";
import { type StoreContext, strip } from "./items";
import { keys } from "./keys";

export function credentialsStore({ db }: StoreContext) {
  return {
    async putTencentCredential(c: TencentCredential): Promise<void> {
      await db.put(
        {
          ...keys.tencentCredential(c.secretId),
          type: "TencentCredential",
          ...c,
          updatedAt: c.createdAt,
        },
        { condition: "attribute_not_exists(pk)" },
      );
    },

    /**
     * What the Tencent-compatible ingress needs before verifying and sending, in one
     * BatchGetItem: the credential, the app it names, and the template by smsgate's own id.
     */
    async loadTencentContext(
      secretId: string,
      appId: string,
      templateId?: string,
    ): Promise<{ credential?: TencentCredential; app?: App; template?: Template }> {
      const wanted = [keys.tencentCredential(secretId), keys.app(appId)];
      if (templateId) wanted.push(keys.template(appId, templateId));
      const items = await db.batchGet(wanted);
      const byType = (t: string) => items.find((i) => i.type === t);
      const credential = strip<TencentCredential>(byType("TencentCredential"), "TencentCredential");
      return {
        // A credential names its app; one that names another is not this app's.
        credential: credential?.appId === appId ? credential : undefined,
        app: strip<App>(byType("App"), "App"),
        template: strip<Template>(byType("Template"), "Template"),
      };
    },
  };
}
