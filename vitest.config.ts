import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration files each start their own loopback stack; two at a time fit two cores.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      http_proxy: "",
      HTTP_PROXY: "",
      https_proxy: "",
      HTTPS_PROXY: "",
    },
  },
});
