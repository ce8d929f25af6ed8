/**
 * Bundle-only stand-in for json-bigint (esbuild alias in serverless.yml): the Tencent SDK
 * only calls `JSONbig({ useNativeBigInt: true }).stringify(request)`, and smsgate's requests
 * hold no BigInt, so JSON.stringify gives the same bytes (and the same TC3 signature).
 */
export default function jsonBigint(_options?: unknown) {
  return { stringify: JSON.stringify, parse: JSON.parse };
}
