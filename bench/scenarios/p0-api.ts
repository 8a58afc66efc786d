// P0 ticket API: 10 concurrent API clients create tickets (each a real create: routing, history,
// outbox), then page through filtered lists. Baseline: the bare one-INSERT handler at the same
// concurrency. Targets: ≥ 500 creates/s, list p99 < 50 ms.
import { QueryTypes } from "sequelize";
import { createApiToken } from "../../src/auth/sessions.ts";
import { Category } from "../../src/models/Category.ts";
import type { Building } from "../../src/models/Building.ts";
import type { Organisation } from "../../src/models/Organisation.ts";
import { makeBuilding, makeOrg, makeUser } from "../../test/support/factories.ts";
import { startChild } from "../lib/child.ts";
import { agent, request } from "../lib/http.ts";
import { percentile, runLoad, round } from "../lib/stats.ts";
import { fig, type BenchContext, type Figure, type Scenario } from "../lib/types.ts";
import { appEnv, useBenchDb } from "../lib/world.ts";

const CONCURRENCY = 10;

export const p0: Scenario = {
  id: "P0",
  title: "ticket API: creates and filtered lists",
  async run(ctx: BenchContext): Promise<Figure[]> {
    const s = useBenchDb(ctx.db.url);
    const creates = ctx.quick ? 3000 : 20000;
    const lists = ctx.quick ? 1000 : 5000;
    const callCentre = await makeOrg("call_centre");
    const operator = await makeUser("operator", callCentre);
    const token = await createApiToken(operator, "bench");
    const uos: Organisation[] = [];
    for (let i = 0; i < 5; i++) uos.push(await makeOrg("management_company"));
    const buildings: Building[] = [];
    for (let i = 0; i < 50; i++) buildings.push((await makeBuilding(uos[i % uos.length]!, 0)).building);
    const cats = await Category.findAll({ where: { active: true } });

    const app = await startChild("bench/app-child.ts", appEnv(ctx.db.url));
    const ag = agent(CONCURRENCY);
    const auth = { authorization: `Bearer ${token}` };
    try {
      const create = async (i: number) => {
        const r = await request(ag, `${app.url}/api/tickets`, {
          body: {
            categoryId: cats[i % cats.length]!.id,
            buildingId: buildings[i % buildings.length]!.id,
            description: `Нагрузочный тест: заявка ${i}, течёт батарея в подъезде`,
            contactPhone: `+7912${String(1_000_000 + i).slice(-7)}`,
            channel: "api",
          },
          headers: auth,
        });
        if (r.status !== 201) throw new Error(`create ${r.status} ${r.body.slice(0, 200)}`);
      };
      await runLoad({ concurrency: CONCURRENCY, count: 200, maxMs: ctx.quick ? 8_000 : 30_000, task: (i) => create(1_000_000 + i) }); // warm-up
      // counted after the warm-up: the measured creates alone must have made their tickets
      const before = await counts(s);
      ctx.log(`P0: ${creates} creates, ${CONCURRENCY} clients`);
      const c = await runLoad({ concurrency: CONCURRENCY, count: creates, maxMs: ctx.quick ? 20_000 : 120_000, task: create });
      if (c.errors) ctx.log(`P0 create errors: ${c.errors} (${c.firstError})`);
      const after = await counts(s);
      const made = after.tickets - before.tickets;
      const complete = after.history - before.history >= 2 * made && after.outbox - before.outbox >= 2 * made;

      // The 20,000 creates take about a minute, faster than autovacuum's next look: without this the
      // lists were planned on the statistics of a near-empty table (a УО's text search read all
      // its tickets and sorted them). A running district's table is analysed by autovacuum.
      await s.query("ANALYZE tickets");

      const filters = [
        (i: number) => `uoId=${uos[i % uos.length]!.id}&status=assigned,routed&sort=created`,
        (i: number) => `buildingId=${buildings[i % buildings.length]!.id}&open=true&sort=deadline`,
        (i: number) => `categoryId=${cats[i % cats.length]!.id}&sort=priority`,
        () => `emergency=true&open=true&sort=deadline`,
        () => `overdue=false&sort=updated`,
        (i: number) => `uoId=${uos[i % uos.length]!.id}&q=${encodeURIComponent("батарея")}`,
      ];
      ctx.log(`P0: ${lists} list pages`);
      const perFilter: number[][] = filters.map(() => []);
      const l = await runLoad({
        concurrency: CONCURRENCY,
        count: lists,
        maxMs: ctx.quick ? 10_000 : 90_000,
        task: async (i) => {
          const page = 1 + (Math.floor(i / filters.length) % 5);
          const t0 = performance.now();
          const r = await request(ag, `${app.url}/api/tickets?${filters[i % filters.length]!(i)}&page=${page}&perPage=25`, { headers: auth });
          perFilter[i % filters.length]!.push(performance.now() - t0);
          if (r.status !== 200) throw new Error(`list ${r.status} ${r.body.slice(0, 200)}`);
        },
      });
      const byFilter = perFilter.map((ms, k) => `${filters[k]!(0).replace(/=\d+/g, "=…").split("&sort")[0]} p99 ${round(percentile(ms.sort((a, b) => a - b), 99))}`).join("; ");
      ctx.log(`P0 list by filter (ms): ${byFilter}`);
      const bare = await ctx.bare(CONCURRENCY);
      const rssPeak = app.peakRssMb();
      return [
        fig({
          scenario: "P0",
          figure: "creates/s (10 clients)",
          value: round(c.rate),
          unit: "/s",
          baseline: round(bare.rate),
          target: "≥ 500 /s",
          pass: c.rate >= 500 && c.errors === 0 && complete && made === c.done,
          note: `${made} tickets, p50 ${round(c.p50)} ms, p99 ${round(c.p99)} ms, errors ${c.errors}${c.firstError ? ` (${c.firstError})` : ""}, history+outbox complete: ${complete}, app peak RSS ${round(rssPeak)} MB`,
        }),
        fig({
          scenario: "P0",
          figure: "filtered list p99",
          value: round(l.p99),
          unit: "ms",
          baseline: round(bare.p99),
          target: "< 50 ms",
          pass: l.p99 < 50 && l.errors === 0,
          note: `${l.done} pages over ${after.tickets} tickets, p50 ${round(l.p50)} ms, ${round(l.rate)} pages/s; by filter: ${byFilter}; errors ${l.errors}${l.firstError ? ` (${l.firstError})` : ""}`,
        }),
      ];
    } finally {
      ag.destroy();
      await app.stop();
    }
  },
};

async function counts(s: ReturnType<typeof useBenchDb>) {
  const [r] = await s.query<{ tickets: number; history: number; outbox: number }>(
    `SELECT (SELECT count(*) FROM tickets)::int AS tickets, (SELECT count(*) FROM ticket_history)::int AS history, (SELECT count(*) FROM outbox)::int AS outbox`,
    { type: QueryTypes.SELECT },
  );
  return r!;
}
