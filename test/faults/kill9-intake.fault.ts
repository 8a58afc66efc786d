// kill -9 of the app in the middle of an intake storm through the Telegram webhook, then a
// restart. Telegram redelivers every update it got no answer for (and may redeliver answered
// ones): each redelivery is answered 200, every resident ends with at most one ticket, every
// "send" that was answered — before or after the crash — is exactly one ticket, and nothing
// committed is lost. The app runs as a child process (bench/app-child.ts) on the run's database.
import { QueryTypes } from "sequelize";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChild, type Child } from "../../bench/lib/child.ts";
import { agent, request } from "../../bench/lib/http.ts";
import { district, keyboards } from "../../bench/scenarios/p1-intake.ts";
import { callbackUpdate, messageUpdate, startBotApiServer, textUpdate, type BotApiServer } from "../support/botApiServer.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { telegramAppEnv } from "./support.ts";

const RESIDENTS = 60;
const CONCURRENCY = 20;
const SECRET = "fault-webhook-secret";
const BASE_USER = 930_000_000 + Math.floor(Math.random() * 1_000_000);

let db: TestDb;
let tg: BotApiServer;
let app: Child;
let env: Record<string, string>;
let accounts: string[];

beforeAll(async () => {
  db = await setupTestDb();
  accounts = await district(db.url, RESIDENTS);
  tg = await startBotApiServer();
  env = await telegramAppEnv(db, tg, SECRET);
  app = await startChild("bench/app-child.ts", env);
});
afterAll(async () => {
  await app?.stop().catch(() => {});
  await tg?.close();
  await db.close();
});

interface Delivered {
  user: number;
  step: number;
  update: Record<string, unknown>;
  status: number | "lost";
}

describe("kill -9 in the middle of an intake storm", () => {
  it("every redelivered update ends as exactly one ticket; nothing committed is lost", { timeout: 300_000 }, async () => {
    const kb = keyboards(tg);
    const ag = agent(CONCURRENCY);
    const log: Delivered[] = [];
    const deliver = async (user: number, step: number, update: Record<string, unknown>) => {
      const d: Delivered = { user, step, update, status: "lost" };
      log.push(d);
      try {
        const r = await request(ag, `${app.url}/bots/telegram/webhook`, { body: update, headers: { "x-telegram-bot-api-secret-token": SECRET }, timeoutMs: 20_000 });
        d.status = r.status;
      } catch {
        d.status = "lost";
      }
      if (d.status !== 200) throw new Error(`update lost (${d.status})`);
    };
    const steps = (i: number, user: number): Array<() => Record<string, unknown>> => [
      () => textUpdate(tg, user, "/start"),
      () => callbackUpdate(tg, user, kb.button(user, "✅ Согласен")),
      () => messageUpdate(tg, user, { contact: { phone_number: `7914${String(BASE_USER % 1000).padStart(3, "0")}${String(i).padStart(4, "0")}`, first_name: "Житель", user_id: user } }),
      () => callbackUpdate(tg, user, kb.button(user, "По лицевому счёту")),
      () => textUpdate(tg, user, accounts[i]!),
      () => textUpdate(tg, user, "/new"),
      () => callbackUpdate(tg, user, kb.button(user, "Водоснабжение и канализация")),
      () => callbackUpdate(tg, user, kb.button(user, "Течь крана, смывного бачка")),
      () => textUpdate(tg, user, "Течёт кран на кухне, капает второй день"),
      () => callbackUpdate(tg, user, kb.button(user, "Без фото")),
      () => callbackUpdate(tg, user, kb.button(user, "Нет")),
      () => callbackUpdate(tg, user, kb.button(user, "✅ Отправить заявку")),
    ];
    const SEND = 11;
    let next = 0;
    const storm = Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (;;) {
          const i = next++;
          if (i >= RESIDENTS) return;
          const user = BASE_USER + i;
          try {
            for (const [k, make] of steps(i, user).entries()) await deliver(user, k, make());
          } catch {
            /* the app died under this resident; Telegram will redeliver */
          }
        }
      }),
    );
    // kill -9 once a third of the residents have sent their request
    while (log.filter((d) => d.step === SEND && d.status === 200).length < RESIDENTS / 3) await new Promise((r) => setTimeout(r, 20));
    app.proc.kill("SIGKILL");
    await app.exited;
    await storm;
    const lost = log.filter((d) => d.status === "lost");
    expect(lost.length, "the kill interrupted some updates").toBeGreaterThan(0);

    app = await startChild("bench/app-child.ts", env);
    // Telegram redelivers what got no answer, and (at least once) may repeat answered updates.
    const redelivered: Delivered[] = [];
    for (const d of [...lost, ...log.filter((x) => x.status === 200 && x.step >= 9)]) {
      const r = await request(ag, `${app.url}/bots/telegram/webhook`, { body: d.update, headers: { "x-telegram-bot-api-secret-token": SECRET } });
      redelivered.push({ ...d, status: r.status });
    }
    expect(redelivered.filter((d) => d.status !== 200).map((d) => `${d.user}/${d.step}: ${d.status}`)).toEqual([]);
    ag.destroy();

    const rows = await db.sequelize.query<{ ext: string; n: number }>(
      `SELECT m.external_id AS ext, count(t.id)::int AS n FROM messenger_identities m
         LEFT JOIN tickets t ON t.resident_id = m.resident_id AND t.channel = 'telegram'
        WHERE m.channel = 'telegram' AND m.external_id::bigint BETWEEN $1 AND $2 GROUP BY m.external_id`,
      { bind: [BASE_USER, BASE_USER + RESIDENTS], type: QueryTypes.SELECT },
    );
    const tickets = new Map(rows.map((r) => [Number(r.ext), r.n]));
    const sent = new Set([...log, ...redelivered].filter((d) => d.step === SEND && d.status === 200).map((d) => d.user));
    const wrong: string[] = [];
    for (const [user, n] of tickets) if (n > 1) wrong.push(`${user}: ${n} tickets`);
    for (const user of sent) if (tickets.get(user) !== 1) wrong.push(`${user}: answered "send" but ${tickets.get(user) ?? 0} tickets`);
    expect(wrong).toEqual([]);
    expect(sent.size).toBeGreaterThanOrEqual(RESIDENTS / 3);
  });
});
