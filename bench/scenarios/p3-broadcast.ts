// P3 outage broadcast: a УО registers an outage over every building of N subscribed residents
// through the API; the platform fans "outage registered" out to each resident's Telegram chat
// through the outbox, pg-boss and the shared send schedule, against the local Bot API server,
// which answers 429 (retry_after 1) to a share of the sendMessage calls.
// Target: ≥ 95 % of the configured ceiling (TELEGRAM_RATE_PER_SECOND = 30 for the run) over the
// run, none lost, none sent twice, at most 1 message a second to a chat, and no second above the ceiling.
import { monitorEventLoopDelay } from "node:perf_hooks";
import pg from "pg";
import { createApiToken } from "../../src/auth/sessions.ts";
import { startBotApiServer, type ApiCall } from "../../test/support/botApiServer.ts";
import { makeOrg, makeUser } from "../../test/support/factories.ts";
import { CHAT_BASE, sendFigures, subscribers, type SendLog } from "../lib/broadcast.ts";
import { startChild } from "../lib/child.ts";
import { agent, request } from "../lib/http.ts";
import { round } from "../lib/stats.ts";
import { fig, type BenchContext, type Figure, type Scenario } from "../lib/types.ts";
import { appEnv, useBenchDb } from "../lib/world.ts";
import { freePort } from "./p1-intake.ts";

/** The ceiling configured for the run, messages per second in total. */
const RATE = 30;
/** Share of sendMessage calls the Bot API server answers 429 with retry_after 1. */
const THROTTLED = 0.03;
const SECRET = "bench-webhook-secret";

/** A small seeded generator (mulberry32): the same calls are throttled in every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Successful sends and every call, per chat of ours, read from the server's call list. */
function readLog(calls: ApiCall[], ours: (chat: string) => boolean): SendLog & { throttled: number } {
  const log = { sent: new Map<string, number[]>(), calls: new Map<string, number[]>(), throttled: 0 };
  const push = (m: Map<string, number[]>, k: string, t: number) => void (m.get(k) ?? m.set(k, []).get(k)!).push(t);
  for (const c of calls) {
    const chat = String(c.params.chat_id);
    if (c.method !== "sendMessage" || !ours(chat) || c.status === undefined) continue;
    push(log.calls, chat, c.at);
    if (c.status === 200) push(log.sent, chat, c.at);
    else if (c.status === 429) log.throttled++;
  }
  return log;
}

async function deliveryStates(url: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM deliveries WHERE kind = 'outage.registered' GROUP BY status`);
    return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
  } finally {
    await c.end();
  }
}

export const p3: Scenario = {
  id: "P3",
  title: "outage broadcast to subscribed residents",
  async run(ctx: BenchContext): Promise<Figure[]> {
    const n = Number(process.env.BENCH_P3_RESIDENTS) || (ctx.quick ? 1200 : 10_000);
    useBenchDb(ctx.db.url);
    const uo = await makeOrg("management_company", "Бенч УО рассылка");
    const token = await createApiToken(await makeUser("uo", uo), "bench-p3");
    const buildingIds = await subscribers(ctx.db.url, uo.id, n);
    const chats = Array.from({ length: n }, (_, i) => String(CHAT_BASE + i + 1));
    const ours = (chat: string) => Number(chat) > CHAT_BASE && Number(chat) <= CHAT_BASE + n;

    const tg = await startBotApiServer();
    const rnd = seeded(3);
    tg.throttle((c) => (c.method === "sendMessage" && rnd() < THROTTLED ? 1 : null));
    const port = await freePort();
    const app = await startChild(
      "bench/app-child.ts",
      appEnv(ctx.db.url, {
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        TELEGRAM_BOT_TOKEN: tg.token,
        TELEGRAM_MODE: "webhook",
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        TELEGRAM_API_ROOT: tg.url,
        TELEGRAM_RATE_PER_SECOND: String(RATE),
      }),
    );
    const ag = agent(1);
    // How busy the machine was: this process's own stalls (arrival times are taken here).
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    try {
      ctx.log(`P3: ${n} residents in ${buildingIds.length} buildings, ceiling ${RATE}/s, ${THROTTLED * 100} % of calls answered 429`);
      const posted = performance.timeOrigin + performance.now();
      const r = await request(ag, `${app.url}/api/outages`, {
        body: {
          resource: "cold_water",
          kind: "emergency",
          startsAt: new Date().toISOString(),
          expectedEndAt: new Date(Date.now() + 6 * 3600_000).toISOString(),
          reason: "Бенч: порыв магистрального водопровода",
          buildingIds,
        },
        headers: { authorization: `Bearer ${token}` },
        timeoutMs: 60_000,
      });
      if (r.status !== 201) throw new Error(`outage ${r.status} ${r.body.slice(0, 300)}`);
      // Bounded: the fan-out, N / ceiling of sending, and 30 s for retries and slack.
      const deadline = Date.now() + 60_000 + (n / RATE) * 1000 + 30_000;
      let delivered = 0;
      let lastLog = Date.now();
      while (Date.now() < deadline) {
        delivered = readLog(tg.calls, ours).sent.size;
        if (delivered >= n) break;
        if (Date.now() - lastLog > 10_000) {
          ctx.log(`P3: ${delivered}/${n} chats reached`);
          lastLog = Date.now();
        }
        await new Promise((res) => setTimeout(res, 250));
      }
      // A little longer: a message sent twice would arrive now.
      await new Promise((res) => setTimeout(res, 3000));
      const log = readLog(tg.calls, ours);
      const f = sendFigures(log, chats);
      const states = await deliveryStates(ctx.db.url);
      // Lost: a chat the server never saw a message for, or a delivery the platform did not mark sent.
      const lost = Math.max(f.lost, n - (states.sent ?? 0));
      const pass = f.ratePerS >= 0.95 * RATE && lost === 0 && f.duplicates === 0 && f.maxPerChatPerSecond <= 1 && f.maxPerSecond <= RATE;
      const note =
        `${n} residents, ${f.sent} sent in ${round(f.spanMs / 1000)} s (first ${round((f.first - posted) / 1000)} s after the outage was registered); ` +
        `ceiling TELEGRAM_RATE_PER_SECOND=${RATE} (the platform's default is 25/s: ${round(f.ratePerS / 25, 2)} of that); ` +
        `429 answered ${log.throttled}; lost ${lost}; duplicates ${f.duplicates}; busiest second ${f.maxPerSecond} sent (${f.maxCallsPerSecond} calls with 429s); ` +
        `busiest chat second ${f.maxPerChatPerSecond}, closest two calls to a chat ${round(f.minGapPerChatMs)} ms; deliveries ${JSON.stringify(states)}; app peak RSS ${round(app.peakRssMb())} MB; ` +
        `bench event-loop stall max ${round(lag.max / 1e6)} ms`;
      return [
        fig({ scenario: "P3", figure: "broadcast msg/s", value: round(f.ratePerS), unit: "/s", baseline: RATE, target: `≥ 95 % of ${RATE}/s`, pass, note }),
      ];
    } finally {
      lag.disable();
      ag.destroy();
      await app.stop();
      await tg.close();
    }
  },
};
