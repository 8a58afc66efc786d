// P1 intake storm: residents write to the Telegram bot at once (100 concurrent connections to the
// webhook), each going through the whole dialogue: consent → own contact → personal account →
// new request (category group, category, description, no photos, not an emergency) → send.
// Baseline: the bare one-INSERT Koa handler on the same database at the same concurrency.
// Targets: ≥ 50 % of the bare rate, p99 < 100 ms, exactly one ticket per resident.
// P5: the app's peak resident memory (VmHWM of its process) over the run < 250 MB.
import net from "node:net";
import pg from "pg";
import { callbackUpdate, messageUpdate, startBotApiServer, textUpdate, type BotApiServer } from "../../test/support/botApiServer.ts";
import { startChild } from "../lib/child.ts";
import { agent, request } from "../lib/http.ts";
import { percentile, round } from "../lib/stats.ts";
import { fig, type BenchContext, type Figure, type Scenario } from "../lib/types.ts";
import { appEnv } from "../lib/world.ts";

const CONNECTIONS = 100;
const WEBHOOK = "/bots/telegram/webhook";
const SECRET = "bench-webhook-secret";

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** The last inline keyboard each chat received (sendMessage or editMessageText), read incrementally. */
export function keyboards(tg: BotApiServer) {
  let cursor = 0;
  const last = new Map<string, Array<{ text: string; callback_data: string }>>();
  const refresh = () => {
    for (; cursor < tg.calls.length; cursor++) {
      const c = tg.calls[cursor]!;
      const kb = c.params.reply_markup?.inline_keyboard;
      if ((c.method === "sendMessage" || c.method === "editMessageText") && kb) last.set(String(c.params.chat_id), kb.flat());
    }
  };
  return {
    button(chat: number, label: string | RegExp): string {
      refresh();
      const b = last.get(String(chat))?.find((x) => (typeof label === "string" ? x.text === label : label.test(x.text)));
      if (!b) throw new Error(`chat ${chat}: no button ${label} in ${JSON.stringify(last.get(String(chat)))?.slice(0, 300)}`);
      return b.callback_data;
    },
  };
}

/** Personal accounts the residents bind: one apartment each, in buildings of one УО. */
export async function district(url: string, n: number): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const uo = await c.query<{ id: number }>(`INSERT INTO organisations (type, name, short_name) VALUES ('management_company', 'Бенч УО шторм', 'Бенч УО шторм') RETURNING id`);
    const b = await c.query<{ id: number }>(
      `INSERT INTO buildings (settlement, street, house, uo_id) SELECT 'г. Печора', 'ул. Штормовая', g::text, $1 FROM generate_series(1, $2::int) g RETURNING id`,
      [uo.rows[0]!.id, Math.ceil(n / 100)],
    );
    const acc = await c.query<{ personal_account: string }>(
      `INSERT INTO apartments (building_id, number, personal_account)
       SELECT ($1::int[])[1 + (g - 1) / 100], (1 + (g - 1) % 100)::text, '77' || lpad(g::text, 8, '0') FROM generate_series(1, $2::int) g RETURNING personal_account`,
      [b.rows.map((r) => r.id), n],
    );
    return acc.rows.map((r) => r.personal_account);
  } finally {
    await c.end();
  }
}

export const p1: Scenario = {
  id: "P1",
  title: "intake storm through the Telegram webhook",
  async run(ctx: BenchContext): Promise<Figure[]> {
    const residents = Number(process.env.BENCH_P1_RESIDENTS) || (ctx.quick ? 150 : 2000);
    const accounts = await district(ctx.db.url, residents);
    const tg = await startBotApiServer();
    const port = await freePort();
    const app = await startChild(
      process.env.BENCH_APP_ENTRY ?? "bench/app-child.ts",
      appEnv(ctx.db.url, {
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        TELEGRAM_BOT_TOKEN: tg.token,
        TELEGRAM_MODE: "webhook",
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        TELEGRAM_API_ROOT: tg.url,
      }),
    );
    const ag = agent(CONNECTIONS);
    const kb = keyboards(tg);
    const lat: number[] = [];
    let failed = 0;
    let firstError: string | null = null;
    const deliver = async (update: Record<string, unknown>) => {
      const t0 = performance.now();
      const r = await request(ag, `${app.url}${WEBHOOK}`, { body: update, headers: { "x-telegram-bot-api-secret-token": SECRET }, timeoutMs: 15_000 });
      lat.push(performance.now() - t0);
      if (r.status !== 200) throw new Error(`webhook ${r.status} ${r.body.slice(0, 200)}`);
    };
    const dialogue = async (i: number) => {
      const user = 900_000_000 + i;
      const phone = `7913${String(i).padStart(7, "0")}`;
      await deliver(textUpdate(tg, user, "/start"));
      await deliver(callbackUpdate(tg, user, kb.button(user, "✅ Согласен")));
      await deliver(messageUpdate(tg, user, { contact: { phone_number: phone, first_name: "Житель", user_id: user } }));
      await deliver(callbackUpdate(tg, user, kb.button(user, "По лицевому счёту")));
      await deliver(textUpdate(tg, user, accounts[i]!));
      await deliver(textUpdate(tg, user, "/new"));
      await deliver(callbackUpdate(tg, user, kb.button(user, "Водоснабжение и канализация")));
      await deliver(callbackUpdate(tg, user, kb.button(user, "Течь крана, смывного бачка")));
      await deliver(textUpdate(tg, user, "На кухне течёт кран, капает уже второй день"));
      await deliver(callbackUpdate(tg, user, kb.button(user, "Без фото")));
      await deliver(callbackUpdate(tg, user, kb.button(user, "Нет")));
      await deliver(callbackUpdate(tg, user, kb.button(user, "✅ Отправить заявку")));
    };
    try {
      ctx.log(`P1: ${residents} residents × 12 updates, ${CONNECTIONS} connections`);
      const start = performance.now();
      const deadline = start + (ctx.quick ? 45_000 : 600_000);
      let next = 0;
      let completed = 0;
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          for (;;) {
            const i = next++;
            if (i >= residents || performance.now() > deadline) return;
            try {
              await dialogue(i);
              completed++;
            } catch (err) {
              failed++;
              // the first failure carries what the bot last said to that resident
              firstError ??= `${(err as Error).message} — bot said: ${tg.sent(900_000_000 + i).slice(-3).map((m) => m.text.slice(0, 100)).join(" | ")}`;
            }
          }
        }),
      );
      const elapsed = performance.now() - start;
      if (firstError) ctx.log(`P1 first failure: ${firstError}`);
      const rss = app.peakRssMb();
      const c = new pg.Client({ connectionString: ctx.db.url });
      await c.connect();
      const per = await c.query<{ n: number; k: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE k <> 1)::int AS k FROM (
           SELECT r.id, count(t.id) AS k FROM residents r JOIN messenger_identities m ON m.resident_id = r.id AND m.channel = 'telegram'
           LEFT JOIN tickets t ON t.resident_id = r.id AND t.channel = 'telegram' WHERE r.phone LIKE '+7913%' GROUP BY r.id) x`,
      );
      await c.end();
      lat.sort((a, b) => a - b);
      const rate = (lat.length / elapsed) * 1000;
      const bare = await ctx.bare(CONNECTIONS);
      const exactlyOne = per.rows[0]!.n === completed && per.rows[0]!.k === 0;
      const note = `${completed}/${residents} dialogues, ${lat.length} updates in ${round(elapsed / 1000)} s, p50 ${round(percentile(lat, 50))} ms, failed ${failed}${firstError ? ` (${String(firstError).slice(0, 160)})` : ""}; residents with a ticket count ≠ 1: ${per.rows[0]!.k}`;
      return [
        fig({ scenario: "P1", figure: "webhook updates/s (100 conn.)", value: round(rate), unit: "/s", baseline: round(bare.rate), target: "≥ 50 % of bare", pass: rate >= 0.5 * bare.rate && failed === 0, note }),
        fig({ scenario: "P1", figure: "webhook update p99", value: round(percentile(lat, 99)), unit: "ms", baseline: round(bare.p99), target: "< 100 ms", pass: percentile(lat, 99) < 100 }),
        fig({ scenario: "P1", figure: "one ticket per request", value: completed, unit: "dialogues", baseline: null, target: "every one", pass: exactlyOne && completed === residents, note: `${per.rows[0]!.n} residents registered; ${per.rows[0]!.k} with ≠ 1 ticket` }),
        fig({ scenario: "P5", figure: "app peak RSS during P1", value: round(rss), unit: "MB", baseline: null, target: "< 250 MB", pass: rss < 250 }),
      ];
    } finally {
      ag.destroy();
      await app.stop();
      await tg.close();
    }
  },
};
