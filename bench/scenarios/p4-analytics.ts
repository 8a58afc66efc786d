// P4 analytics: 1,000,000 tickets and 200,000 residents (quick: 100,000 / 20,000) made in SQL,
// then the filtered ticket list (target p95 < 50 ms) and every report breakdown over the last
// year plus the monthly rating (target < 500 ms each, the slowest of 3 runs; 2 in --quick).
import { createApiToken } from "../../src/auth/sessions.ts";
import { Organisation } from "../../src/models/Organisation.ts";
import { makeUser } from "../../test/support/factories.ts";
import { startChild } from "../lib/child.ts";
import { generateDistrict } from "../lib/generate.ts";
import { agent, request } from "../lib/http.ts";
import { runLoad, round } from "../lib/stats.ts";
import { fig, type BenchContext, type Figure, type Scenario } from "../lib/types.ts";
import { appEnv, useBenchDb } from "../lib/world.ts";

const BREAKDOWNS = ["total", "uo", "executor", "district", "category", "building", "channel", "day", "week", "month"];

export const p4: Scenario = {
  id: "P4",
  title: "analytics at district scale",
  async run(ctx: BenchContext): Promise<Figure[]> {
    useBenchDb(ctx.db.url);
    const size = ctx.quick ? { tickets: 100_000, residents: 20_000 } : { tickets: 1_000_000, residents: 200_000 };
    const g = await generateDistrict(ctx.db.url, size, ctx.log);
    ctx.log(`P4: generated in ${round(g.ms / 1000)} s`);
    const uo = (await Organisation.findByPk(g.uoIds[0]!))!;
    const agency = await Organisation.create({ type: "agency", name: "Бенч МКУ", shortName: "Бенч МКУ", inn: null, kpp: null, ogrn: null, email: null, phone: null, dispatchPhone: null });
    const tokens = {
      operator: await createApiToken(await makeUser("operator", await Organisation.create({ type: "call_centre", name: "Бенч ЦОЗ", shortName: "Бенч ЦОЗ", inn: null, kpp: null, ogrn: null, email: null, phone: null, dispatchPhone: null })), "bench"),
      uo: await createApiToken(await makeUser("uo", uo), "bench"),
      agency: await createApiToken(await makeUser("agency", agency), "bench"),
    };
    const app = await startChild("bench/app-child.ts", appEnv(ctx.db.url));
    const ag = agent(4);
    const get = async (path: string, who: keyof typeof tokens) => {
      const t0 = performance.now();
      const r = await request(ag, `${app.url}${path}`, { headers: { authorization: `Bearer ${tokens[who]}` }, timeoutMs: 60_000 });
      return { status: r.status, ms: performance.now() - t0, body: r.body };
    };
    try {
      const b = g.buildingIds;
      const lists: Array<[string, keyof typeof tokens]> = [
        ["uoId=%UO%&status=routed,assigned&sort=created", "operator"],
        ["buildingId=%B%&sort=created", "operator"],
        ["categoryId=%C%&open=true&sort=deadline", "operator"],
        ["emergency=true&open=true&sort=priority", "operator"],
        ["status=awaiting_routing&sort=created", "operator"],
        ["open=true&sort=deadline", "uo"],
        ["overdue=true&sort=deadline", "uo"],
        ["status=closed&sort=updated", "uo"],
        ["sort=priority", "uo"],
        // an operator's "last changed first" over everything, a search by a number's digits, a
        // word within one УО
        ["overdue=false&sort=updated", "operator"],
        ["q=%N%&sort=created", "operator"],
        ["uoId=%UO%&q=%D0%BE%D1%81%D0%BC%D0%BE%D1%82%D1%80&sort=created", "operator"],
      ];
      const n = ctx.quick ? 600 : 2000;
      ctx.log(`P4: ${n} filtered list pages`);
      const l = await runLoad({
        concurrency: 2,
        count: n,
        maxMs: ctx.quick ? 20_000 : 120_000,
        task: async (i) => {
          const [q, who] = lists[i % lists.length]!;
          const path = `/api/tickets?${q.replace("%UO%", String(g.uoIds[i % g.uoIds.length])).replace("%B%", String(b[(i * 31) % b.length])).replace("%C%", String(1 + (i % 20))).replace("%N%", String(1 + ((i * 7919) % g.tickets)).padStart(7, "0").slice(1))}&page=${1 + (Math.floor(i / lists.length) % 10)}&perPage=25`;
          const r = await get(path, who);
          if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.body.slice(0, 200)}`);
        },
      });
      const out: Figure[] = [
        fig({
          scenario: "P4",
          figure: `ticket list p95 (${size.tickets / 1000}k tickets)`,
          value: round(l.p95),
          unit: "ms",
          baseline: null,
          target: "< 50 ms",
          pass: l.p95 < 50 && l.errors === 0,
          note: `${l.done} pages, p50 ${round(l.p50)} ms, p99 ${round(l.p99)} ms, errors ${l.errors}${l.firstError ? ` (${l.firstError})` : ""}; data made in ${round(g.ms / 1000)} s`,
        }),
      ];
      const today = new Date();
      const iso = (d: Date) => d.toISOString().slice(0, 10);
      const from = iso(new Date(today.getTime() - 365 * 86_400_000));
      const to = iso(today);
      const lastMonth = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
      const reports: Array<[string, string, keyof typeof tokens]> = [
        ...BREAKDOWNS.map((by) => [`report by ${by}`, `/api/reports?from=${from}&to=${to}&by=${by}`, "agency"] as [string, string, keyof typeof tokens]),
        ["report by uo, XLSX", `/api/reports?from=${from}&to=${to}&by=uo&format=xlsx`, "agency"],
        ["report (УО scope) by category", `/api/reports?from=${from}&to=${to}&by=category`, "uo"],
        ["monthly УО rating", `/api/reports/ratings?month=${lastMonth}`, "agency"],
      ];
      for (const [name, path, who] of reports) {
        const runs = [];
        let status = 0;
        let body = "";
        for (let k = 0; k < (ctx.quick ? 2 : 3); k++) {
          const r = await get(path, who);
          status = r.status;
          body = r.body;
          runs.push(r.ms);
        }
        const worst = Math.max(...runs);
        out.push(
          fig({
            scenario: "P4",
            figure: name,
            value: status === 200 ? round(worst) : NaN,
            unit: "ms",
            baseline: null,
            target: "< 500 ms",
            pass: status === 200 && worst < 500,
            note: status === 200 ? `runs ${runs.map((x) => round(x)).join(" / ")} ms` : `HTTP ${status}: ${body.slice(0, 160)}`,
          }),
        );
      }
      return out;
    } finally {
      ag.destroy();
      await app.stop();
    }
  },
};
