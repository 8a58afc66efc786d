// The hot-path statements that run prepared (src/db/prepared.ts, src/db/preparedInsert.ts): a
// ticket inserted by its prepared statement is exactly the row in the table; every attribute is
// written, the number comes from the sequence, a refused row leaves nothing; a statement works
// outside a transaction too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand, systemActor } from "../../src/context.ts";
import { preparedQuery } from "../../src/db/prepared.ts";
import { insertPrepared } from "../../src/db/preparedInsert.ts";
import { Ticket, TicketHistory } from "../../src/models/Ticket.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { actorOf, category, createTicket, makeWorld, type World } from "../support/factories.ts";

let db: TestDb;
let w: World;

beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
});
afterAll(async () => db?.close());

const plain = (t: Ticket) => t.get({ plain: true }) as Record<string, unknown>;

describe("prepared hot-path statements", () => {
  it("a created ticket is returned exactly as stored, routed, with its history", async () => {
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, apartmentId: w.apartments[0]!.id, contactPhone: "+7 912 000-11-22" });
    const stored = (await Ticket.findByPk(t.id))!;
    const { category: _c, building: _b, apartment: _a, uo: _u, history: _h, ...returned } = plain(t);
    expect(returned).toEqual(plain(stored));
    expect(stored).toMatchObject({ status: "routed", uoId: w.uo.id, contactPhone: "+79120001122", reopenedCount: 0, publishable: false, version: 1 });
    expect(stored.number).toMatch(/^\d{4}-\d{6}$/);
    expect(stored.updatedAt!.getTime()).toBeGreaterThanOrEqual(stored.createdAt!.getTime());
    expect((await TicketHistory.findAll({ where: { ticketId: t.id }, order: [["id", "ASC"]] })).map((h) => h.action)).toEqual(["create", "route"]);
  });

  it("a ticket with nothing but a text address stores nulls, and numbers follow the sequence", async () => {
    const a = await createTicket(actorOf(w.users.operator), { addressText: "ул. Ленина, 7" });
    const b = await createTicket(actorOf(w.users.operator), { addressText: "ул. Ленина, 9" });
    const stored = (await Ticket.findByPk(a.id))!;
    expect(stored).toMatchObject({ status: "awaiting_routing", buildingId: null, apartmentId: null, uoId: null, residentId: null, addressText: "ул. Ленина, 7" });
    expect(Number(b.number.slice(5))).toBe(Number(a.number.slice(5)) + 1);
  });

  it("a row the database refuses leaves nothing and the same statement serves the next row", async () => {
    const cat = await category("tap_leak");
    const before = await Ticket.count();
    const draft = (categoryId: number) =>
      Ticket.build({ number: "", status: "awaiting_routing", channel: "phone", categoryId, description: "Проверка", deadlineAt: new Date(), deadlineBasis: "тест", createdAt: new Date() });
    await expect(runCommand(systemActor("тест"), (ctx) => insertPrepared(ctx.transaction, Ticket, draft(999_999), "op_ticket_insert_test", { number: "'T-' || nextval('ticket_number_seq')" }))).rejects.toThrow(/foreign key/);
    expect(await Ticket.count()).toBe(before);
    const ok = await runCommand(systemActor("тест"), (ctx) => insertPrepared(ctx.transaction, Ticket, draft(cat.id), "op_ticket_insert_test", { number: "'T-' || nextval('ticket_number_seq')" }));
    expect(ok.number).toMatch(/^T-\d+$/);
    expect(await Ticket.count()).toBe(before + 1);
  });

  it("outside a transaction a statement runs on a pooled connection, again and again; its error comes back", async () => {
    for (let i = 0; i < 30; i++) {
      const [row] = await preparedQuery<{ n: number }>(null, "op_test_add", "SELECT $1::int + 1 AS n", [i]);
      expect(row!.n).toBe(i + 1);
    }
    await expect(preparedQuery(null, "op_test_bad", "SELECT 1/0", [])).rejects.toThrow(/division by zero/);
  });
});
