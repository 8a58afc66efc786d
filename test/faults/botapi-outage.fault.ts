// The Bot API answering 500 to every message for a minute, then a storm of 429s (half the calls,
// retry_after 1 s), then healthy again, while an outage is announced to 60 subscribed residents:
// every resident gets the announcement exactly once, no delivery ends in the dead letters, and no
// chat is sent more than one message a second. The app runs as a child process on the run's database.
import { QueryTypes } from "sequelize";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChild, type Child } from "../../bench/lib/child.ts";
import { agent, request } from "../../bench/lib/http.ts";
import { CHAT_BASE, subscribers } from "../../bench/lib/broadcast.ts";
import { createApiToken } from "../../src/auth/sessions.ts";
import { sequelize } from "../../src/db/sequelize.ts";
import { startBotApiServer, type BotApiServer } from "../support/botApiServer.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { telegramAppEnv } from "./support.ts";
import { makeOrg, makeUser } from "../support/factories.ts";

const RESIDENTS = 60;
const OUTAGE_MS = 60_000;
const STORM_MS = 30_000;

let db: TestDb;
let tg: BotApiServer;
let app: Child;
let token: string;
let buildingIds: number[];

beforeAll(async () => {
  db = await setupTestDb();
  const uo = await makeOrg("management_company", "УО сбой Bot API");
  token = await createApiToken(await makeUser("uo", uo), "fault");
  buildingIds = await subscribers(db.url, uo.id, RESIDENTS);
  tg = await startBotApiServer();
  app = await startChild("bench/app-child.ts", await telegramAppEnv(db, tg, "fault-botapi-secret"));
});
afterAll(async () => {
  await app?.stop().catch(() => {});
  await tg?.close();
  await db.close();
});

describe("Bot API down for a minute, then a 429 storm", () => {
  it("delivers every announcement exactly once", { timeout: 420_000 }, async () => {
    const start = Date.now();
    let flip = false;
    tg.failWhen((c) => (c.method === "sendMessage" && Date.now() - start < OUTAGE_MS ? { error_code: 500, description: "Internal Server Error" } : null));
    tg.throttle((c) => {
      const t = Date.now() - start;
      if (c.method !== "sendMessage" || t < OUTAGE_MS || t >= OUTAGE_MS + STORM_MS) return null;
      flip = !flip;
      return flip ? 1 : null;
    });
    const r = await request(agent(1), `${app.url}/api/outages`, {
      body: {
        resource: "heating",
        kind: "emergency",
        startsAt: new Date().toISOString(),
        expectedEndAt: new Date(Date.now() + 6 * 3600_000).toISOString(),
        reason: "Авария на теплотрассе",
        buildingIds,
      },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(r.status).toBe(201);

    const chats = Array.from({ length: RESIDENTS }, (_, i) => String(CHAT_BASE + i + 1));
    const ok = () => tg.calls.filter((c) => c.method === "sendMessage" && c.status === 200 && chats.includes(String(c.params.chat_id)));
    while (Date.now() - start < 360_000 && new Set(ok().map((c) => String(c.params.chat_id))).size < RESIDENTS) await new Promise((res) => setTimeout(res, 500));
    await new Promise((res) => setTimeout(res, 3_000)); // a duplicate would arrive meanwhile

    const failed500 = tg.calls.filter((c) => c.method === "sendMessage" && c.status === 500).length;
    const answered429 = tg.calls.filter((c) => c.method === "sendMessage" && c.status === 429).length;
    expect(failed500).toBeGreaterThan(RESIDENTS); // every message failed at least once, most twice or more
    expect(answered429).toBeGreaterThan(0);
    const perChat = new Map<string, number[]>();
    for (const c of ok()) perChat.set(String(c.params.chat_id), [...(perChat.get(String(c.params.chat_id)) ?? []), c.at]);
    expect([...perChat.keys()].sort()).toEqual([...chats].sort());
    expect([...perChat.values()].filter((v) => v.length !== 1)).toEqual([]);
    const states = await sequelize().query<{ status: string; n: number }>(
      `SELECT d.status, count(*)::int AS n FROM deliveries d JOIN residents r ON r.id = d.resident_id
        WHERE r.consent_version = 'bench-p3' GROUP BY 1`,
      { type: QueryTypes.SELECT },
    );
    expect(states).toEqual([{ status: "sent", n: RESIDENTS }]);
    // No chat got two requests (failed ones included) within a second.
    const byChat = new Map<string, number[]>();
    for (const c of tg.calls.filter((c) => c.method === "sendMessage" && chats.includes(String(c.params.chat_id))))
      byChat.set(String(c.params.chat_id), [...(byChat.get(String(c.params.chat_id)) ?? []), c.at]);
    const tooClose = [...byChat.values()].filter((ts) => ts.some((t, i) => i > 0 && t - ts[i - 1]! < 950)).length;
    expect(tooClose).toBe(0);
  });
});
