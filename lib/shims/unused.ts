/**
 * Bundle-only stand-in for modules the Tencent SDK imports but smsgate never uses
 * (form-data for multipart uploads, https-proxy-agent for proxies): esbuild alias in
 * serverless.yml. Using one throws, so an unexpected use cannot pass silently.
 */
export default class Unused {
  constructor() {
    throw new Error("smsgate bundles do not include this module (multipart or proxy support)");
  }
}
