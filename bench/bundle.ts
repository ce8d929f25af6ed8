/**
 * Bundles each function exactly as `serverless package` does (the esbuild options are read
 * from serverless.yml's custom.esbuild), in memory, with esbuild's metafile: sizes and the
 * packages inside, for the budgets test and the benchmark.
 */
import { join } from "node:path";
import { build } from "esbuild";
import { readServerlessYml } from "../local/serverless-config";

export const FUNCTIONS = [
  "send",
  "status-callback",
  "reply",
  "threshold-check",
  "admin",
  "campaigns",
  "campaign-worker",
  "webhook-worker",
] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

const root = join(import.meta.dirname, "..");

export interface Bundle {
  name: string;
  bytes: number;
  code: string;
  /** Bytes in the output per package ("(ours)" for this repository's code). */
  packages: Record<string, number>;
}

function packageOf(path: string): string {
  const m = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/);
  return m?.[1] ?? "(ours)";
}

export async function bundle(name: FunctionName): Promise<Bundle> {
  const doc = readServerlessYml() as unknown as { custom: { esbuild: Record<string, unknown> } };
  const { bundle: _b, exclude, packager: _p, sourcemap, ...options } = doc.custom.esbuild;
  const result = await build({
    ...options,
    // serverless-esbuild marks excluded packages external (the runtime provides them).
    external: exclude as string[],
    sourcemap: Boolean(sourcemap),
    entryPoints: [join(root, "functions", `${name}.ts`)],
    bundle: true,
    metafile: true,
    write: false,
    logLevel: "silent",
    outfile: `${name}.js`,
    // BENCH_PROFILE: readable names in CPU profiles; everything else as packaged.
    ...(process.env.BENCH_PROFILE ? { minify: false } : {}),
  });
  const output = Object.values(result.metafile.outputs)[0];
  const packages: Record<string, number> = {};
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const pkg = packageOf(path);
    packages[pkg] = (packages[pkg] ?? 0) + input.bytesInOutput;
  }
  return { name, bytes: output?.bytes ?? 0, code: result.outputFiles[0]?.text ?? "", packages };
}
