// One cold start, as Lambda makes it: a fresh Node process loads one bundle (INIT), answers
// its first event, then BENCH_WARM more in sequence. Prints the timings as one JSON line.
// Plain JavaScript run by plain node, so no loader skews the figures (docs/performance.md).
import { subscribe } from "node:diagnostics_channel";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";

const [file, eventsFile] = process.argv.slice(2);
const events = JSON.parse(await (await import("node:fs/promises")).readFile(eventsFile, "utf8"));
// Outgoing HTTP requests, node:http and fetch alike, by port: what each side really sends.
const requests = {};
const count = (port) => {
  requests[port] = (requests[port] ?? 0) + 1;
};
subscribe("http.client.request.start", ({ request }) =>
  count(request.socket?.remotePort ?? request.host),
);
subscribe("undici:request:create", ({ request }) => count(new URL(request.origin).port));
const t0 = performance.now();
const mod = file.endsWith(".mjs") ? await import(file) : createRequire(import.meta.url)(file);
const t1 = performance.now();
const times = [];
for (const [i, event] of events.entries()) {
  const t = performance.now();
  const res = await mod.handler(event, { awsRequestId: `bench-${i}` });
  times.push(performance.now() - t);
  // An HTTP function answers 200; the scheduled checker a summary with no failures.
  const body = res?.statusCode === undefined ? JSON.stringify(res) : String(res?.body ?? "");
  const ok = res?.statusCode === undefined ? res && !res.failures : res.statusCode === 200;
  if (!ok || body.includes('"won":0') || body.includes('"failed"'))
    throw new Error(`event ${i} answered ${res?.statusCode}: ${body.slice(0, 300)}`);
}
const [first, ...warm] = times;
process.stdout.write(
  `${JSON.stringify({ init: t1 - t0, first: t1 - t0 + first, warm, requests })}\n`,
);
