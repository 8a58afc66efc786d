// `npm run test:faults`: every fault test — the quick ones (*.test.ts, also in `npm test`) and the
// long ones (*.fault.ts: minutes each, only here and in .ci/run).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import base from "../../vitest.config.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    root,
    include: ["test/faults/**/*.test.ts", "test/faults/**/*.fault.ts"],
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});
