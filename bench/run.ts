// `npm run bench` (full size) / `npm run bench -- --quick` / `-- --only=P0,P4`.
// Creates its own database, runs each scenario (bounded in count and time, loopback only),
// prints one table and writes bench-results/<timestamp>.json, then drops the database.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { rootDir } from "../src/config.ts";
import { startChild } from "./lib/child.ts";
import { createBenchDb } from "./lib/db.ts";
import { agent, request } from "./lib/http.ts";
import { runLoad, type LoadResult } from "./lib/stats.ts";
import type { BenchContext, Figure, Scenario } from "./lib/types.ts";
import { closeBenchDb } from "./lib/world.ts";
import { scenarios } from "./scenarios/index.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.find((a) => a.startsWith("--only="))?.slice(7).toUpperCase().split(",");
const started = Date.now();
// Other processes on the machine skew every figure: the load average is printed and stored with them.
const loadAvgAtStart = os.loadavg();
const log = (m: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${m}\n`);

const watchdogMs = quick ? 6 * 60_000 : 60 * 60_000;

async function main() {
  const db = await createBenchDb();
  log(`bench database ${db.name} (${quick ? "quick" : "full"} size)`);
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.once(sig, () => {
      log(`${sig}: dropping the bench database`);
      void db.drop().finally(() => process.exit(130));
    });
  const watchdog = setTimeout(() => {
    log(`watchdog: the bench ran over ${watchdogMs / 60000} min; stopping`);
    void db.drop().finally(() => process.exit(2));
  }, watchdogMs);
  const bareCache = new Map<number, Promise<LoadResult>>();
  const ctx: BenchContext = {
    db,
    quick,
    log,
    bare(concurrency) {
      let p = bareCache.get(concurrency);
      if (!p) {
        p = measureBare(db.url, concurrency, quick);
        bareCache.set(concurrency, p);
      }
      return p;
    },
  };
  const figures: Figure[] = [];
  const chosen: Scenario[] = scenarios.filter((s) => !only || only.includes(s.id));
  try {
    for (const s of chosen) {
      log(`${s.id} ${s.title}`);
      const t0 = Date.now();
      try {
        figures.push(...(await s.run(ctx)));
      } catch (err) {
        log(`${s.id} failed: ${(err as Error).stack}`);
        figures.push({ scenario: s.id, figure: s.title, value: NaN, unit: "", baseline: null, ratio: null, target: "runs", pass: false, note: `error: ${(err as Error).message}` });
      }
      log(`${s.id} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    clearTimeout(watchdog);
    await closeBenchDb();
    // BENCH_KEEP_DB=1 leaves the database for a look at its plans (drop it yourself afterwards)
    if (process.env.BENCH_KEEP_DB === "1") log(`database kept: ${db.url}`);
    else await db.drop();
  }
  printTable(figures);
  process.stdout.write(`\nload average at start ${loadAvgAtStart.map((x) => x.toFixed(2)).join(" ")}, at end ${os.loadavg().map((x) => x.toFixed(2)).join(" ")} (${os.cpus().length} CPUs)\n`);
  const dir = path.join(rootDir, "bench-results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    JSON.stringify({ at: new Date().toISOString(), size: quick ? "quick" : "full", machine: { cpus: os.cpus().length, memMb: Math.round(os.totalmem() / 2 ** 20), node: process.version, loadAvgAtStart, loadAvgAtEnd: os.loadavg() }, durationS: (Date.now() - started) / 1000, figures }, null, 2),
  );
  log(`written ${path.relative(rootDir, file)}`);
  process.exitCode = figures.every((f) => f.pass !== false) ? 0 : 1;
}

async function measureBare(url: string, concurrency: number, q: boolean): Promise<LoadResult> {
  const bare = await startChild("bench/bare-child.ts", { DATABASE_URL: url });
  const ag = agent(concurrency);
  try {
    const body = { update_id: 1, message: { message_id: 1, chat: { id: 1, type: "private" }, from: { id: 1, is_bot: false, first_name: "Бench" }, date: 0, text: "Нет отопления" } };
    await runLoad({ concurrency, count: 200, maxMs: 5_000, task: async () => void (await request(ag, bare.url, { body })) });
    return await runLoad({
      concurrency,
      count: q ? 5000 : 20000,
      maxMs: q ? 8_000 : 30_000,
      task: async (i) => {
        const r = await request(ag, bare.url, { body: { ...body, update_id: i } });
        if (r.status !== 200) throw new Error(`bare ${r.status}`);
      },
    });
  } finally {
    ag.destroy();
    await bare.stop();
  }
}

function printTable(figures: Figure[]) {
  const fmt = (n: number | null) => (n === null || Number.isNaN(n) ? "—" : String(n));
  const rows = [
    ["", "figure", "value", "baseline", "ratio", "target", "pass"],
    ...figures.map((f) => [
      f.scenario,
      f.figure,
      `${fmt(f.value)} ${f.unit}`.trim(),
      f.baseline === null ? "—" : `${fmt(f.baseline)} ${f.unit}`.trim(),
      f.ratio === null ? "—" : f.ratio.toFixed(2),
      f.target,
      f.pass === null ? "n/a" : f.pass ? "yes" : "NO",
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  const line = (r: string[]) => r.map((c, i) => c + " ".repeat(widths[i]! - [...c].length)).join(" │ ");
  process.stdout.write(`\n${line(rows[0]!)}\n${widths.map((w) => "─".repeat(w)).join("─┼─")}\n`);
  for (const r of rows.slice(1)) process.stdout.write(`${line(r)}\n`);
  const notes = figures.filter((f) => f.note);
  if (notes.length) process.stdout.write(`\n${notes.map((f) => `${f.scenario} ${f.figure}: ${f.note}`).join("\n")}\n`);
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    log(`bench failed: ${(err as Error).stack}`);
    process.exit(1);
  },
);
