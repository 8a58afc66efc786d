// recordChange writes history, outbox and push in one statement: the outbox payload carries the
// history id, both NOTIFYs arrive at commit, and a rollback leaves nothing behind.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryTypes } from "sequelize";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { actorOf, category, makeWorld, type World } from "../support/factories.ts";
import { runCommand } from "../../src/context.ts";
import { ticketCreator } from "../../src/commands/ticketCreator.ts";
import { Ticket, TicketHistory } from "../../src/models/Ticket.ts";
import { OUTBOX_CHANNEL } from "../../src/outbox/index.ts";
import { PUSH_CHANNEL } from "../../src/push/publish.ts";

let db: TestDb;
let w: World;
let listener: pg.Client;
const heard: Array<{ channel: string; payload: string }> = [];
beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
  listener = new pg.Client({ connectionString: db.url });
  await listener.connect();
  listener.on("notification", (n) => heard.push({ channel: n.channel, payload: n.payload ?? "" }));
  await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
  await listener.query(`LISTEN ${PUSH_CHANNEL}`);
});
afterAll(async () => {
  await listener.end();
  await db.close();
});

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
};

describe("recordChange", () => {
  it("writes history + outbox (with historyId) and notifies at commit", async () => {
    const cat = await category("tap_leak");
    heard.length = 0;
    const t = await runCommand(actorOf(w.users.operator), (ctx) =>
      ticketCreator({ ctx, input: { channel: "phone", categoryId: cat.id, description: "Течёт кран", buildingId: w.building.id } }),
    );
    const history = await TicketHistory.findAll({ where: { ticketId: t.id }, order: [["id", "ASC"]] });
    expect(history.map((h) => h.action)).toEqual(["create", "route"]);
    expect(history[0]!.actorRole).toBe("operator");
    expect(history[1]!.actorKind).toBe("system");
    const outbox = await db.sequelize.query<{ id: number; topic: string; payload: Record<string, any> }>(
      `SELECT id, topic, payload FROM outbox WHERE (payload->>'ticketId')::int = $1 ORDER BY id`,
      { bind: [t.id], type: QueryTypes.SELECT },
    );
    expect(outbox.map((o) => o.topic)).toEqual(["ticket.created", "ticket.transitioned"]);
    expect(outbox.map((o) => o.payload.historyId)).toEqual(history.map((h) => h.id));
    expect(outbox[1]!.payload).toMatchObject({ action: "route", from: "awaiting_routing", to: "routed", uoId: w.uo.id, number: t.number });
    await until(() => heard.filter((h) => h.channel === PUSH_CHANNEL && h.payload.includes(`"id":${t.id}`)).length >= 2);
    expect(heard.filter((h) => h.channel === OUTBOX_CHANNEL).map((h) => Number(h.payload))).toEqual(expect.arrayContaining(outbox.map((o) => o.id)));
    const pushes = heard.filter((h) => h.channel === PUSH_CHANNEL).map((h) => JSON.parse(h.payload));
    expect(pushes.filter((p) => p.data?.id === t.id).map((p) => p.data.action)).toEqual(["create", "route"]);
    expect(pushes.find((p) => p.data?.action === "route")!.audience.orgIds).toEqual([w.uo.id]);
  });

  it("a rolled-back command leaves no history, no outbox row and no notification", async () => {
    const cat = await category("tap_leak");
    const before = { tickets: await Ticket.count(), history: await TicketHistory.count() };
    const [{ n: outboxBefore }] = await db.sequelize.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox", { type: QueryTypes.SELECT });
    heard.length = 0;
    await expect(
      runCommand(actorOf(w.users.operator), async (ctx) => {
        await ticketCreator({ ctx, input: { channel: "phone", categoryId: cat.id, description: "Откат", buildingId: w.building.id } });
        throw new Error("rollback please");
      }),
    ).rejects.toThrow("rollback please");
    await new Promise((r) => setTimeout(r, 200));
    expect(await Ticket.count()).toBe(before.tickets);
    expect(await TicketHistory.count()).toBe(before.history);
    const [{ n: outboxAfter }] = await db.sequelize.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox", { type: QueryTypes.SELECT });
    expect(outboxAfter).toBe(outboxBefore);
    expect(heard).toEqual([]);
  });
});
