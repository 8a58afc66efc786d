// A heating outage at three buildings: every resident hears of it, new heating tickets become
// children of the incident (the resident is told at once), and one restore resolves them all.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/context.ts";
import { outageRegistrar } from "../../src/commands/outageRegistrar.ts";
import { outageRestorer } from "../../src/commands/outageUpdater.ts";
import { activeOutagesForBuildings, duplicateCandidates, incidentForTicket } from "../../src/commands/outageQueries.ts";
import { registerMessenger, unregisterMessenger } from "../../src/notifications/channels.ts";
import { NotificationWorker } from "../../src/jobs/worker.ts";
import { OutageTicket } from "../../src/models/Outage.ts";
import { Ticket, TicketHistory } from "../../src/models/Ticket.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { actorOf, category, createTicket, makeBuilding, makeResident, makeWorld, type World } from "../support/factories.ts";
import { startFakeMessengerServer, telegramSender, type FakeMessengerServer } from "../support/fakeTelegramSend.ts";
import { telegramOf, waitFor } from "../notifications/support.ts";

let db: TestDb;
let fake: FakeMessengerServer;
let worker: NotificationWorker;
let w: World;

beforeAll(async () => {
  db = await setupTestDb();
  fake = await startFakeMessengerServer();
  registerMessenger("telegram", telegramSender());
  w = await makeWorld();
  worker = await new NotificationWorker(db.url, { deliver: { backoff: () => 200 }, pollMs: 500 }).start();
});
afterAll(async () => {
  await worker?.stop();
  unregisterMessenger("telegram");
  await fake?.close();
  await db?.close();
});

const sentTo = (chat: string) => fake.received.filter((r) => r.chatId === chat);
const hour = 3_600_000;

describe("heating outage at three buildings", () => {
  it("reaches every resident, links new heating tickets, and one restore resolves the children", { timeout: 120_000 }, async () => {
    const b2 = await makeBuilding(w.uo, 2);
    const b3 = await makeBuilding(w.uo, 2);
    const buildings = [w.building, b2.building, b3.building];
    const residents = [
      w.resident,
      await makeResident(w.apartments[1]),
      await makeResident(b2.apartments[0]),
      await makeResident(b2.apartments[1]),
      await makeResident(b3.apartments[0]),
    ];
    const chats = await Promise.all(residents.map((r) => telegramOf(fake, { residentId: r.id })));
    const uoChat = await telegramOf(fake, { userId: w.users.uo.id });
    // A resident of another building must not hear of it.
    const elsewhere = await makeBuilding(w.uo, 1);
    const outsider = await makeResident(elsewhere.apartments[0]);
    const outsiderChat = await telegramOf(fake, { residentId: outsider.id });

    const outage = await runCommand(actorOf(w.users.supplier), (ctx) =>
      outageRegistrar({
        ctx,
        input: {
          resource: "heating",
          kind: "emergency",
          startsAt: new Date(Date.now() - hour),
          expectedEndAt: new Date(Date.now() + 6 * hour),
          reason: "Порыв на теплотрассе",
          buildingIds: buildings.map((b) => b.id),
        },
      }),
    );
    await waitFor(async () => chats.every((c) => sentTo(c).some((m) => m.text.includes("отопление"))), "outage announcement");
    for (const c of chats) expect(sentTo(c).filter((m) => m.text.includes("Порыв на теплотрассе"))).toHaveLength(1);
    // The РСО registered it: the УО is informed too.
    await waitFor(async () => sentTo(uoChat).some((m) => m.text.includes("Порыв на теплотрассе")), "УО informed");
    expect(sentTo(outsiderChat)).toHaveLength(0);

    // Residents see it for their address.
    const visible = await activeOutagesForBuildings([b2.building.id]);
    expect(visible.map((o) => o.id)).toContain(outage.id);
    expect(visible[0]!.buildings).toHaveLength(1);
    expect(await activeOutagesForBuildings([elsewhere.building.id])).toHaveLength(0);

    // New heating tickets at affected buildings become children; the resident is told at once.
    const noHeating = await category("no_heating");
    const tickets: Ticket[] = [];
    for (const [i, r] of residents.slice(0, 3).entries())
      tickets.push(await createTicket(actorOf(w.users.operator), { buildingId: buildings[i]!.id, residentId: r.id, categoryId: noHeating.id, description: "Холодные батареи" }));
    const unrelated = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, residentId: w.resident.id, description: "Кран" });
    for (const t of tickets) expect((await OutageTicket.findByPk(t.id))?.outageId).toBe(outage.id);
    expect(await OutageTicket.findByPk(unrelated.id)).toBeNull();
    expect((await incidentForTicket(tickets[0]!.id))?.id).toBe(outage.id);
    const linked = await TicketHistory.findOne({ where: { ticketId: tickets[0]!.id, action: "incident_linked" } });
    expect(linked).not.toBeNull();
    await waitFor(async () => sentTo(chats[0]!).some((m) => m.text.includes("Об отключении уже известно")), "resident told of the incident");
    const told = sentTo(chats[0]!).find((m) => m.text.includes("Об отключении уже известно"))!;
    expect(told.text).toContain("Порыв на теплотрассе");
    expect(told.text).toContain("Ожидаемое восстановление");

    // Duplicate suggestion for the operator: the open heating ticket at that building.
    const dups = await duplicateCandidates({ buildingId: w.building.id, categoryId: noHeating.id });
    expect(dups.map((d) => d.id)).toContain(tickets[0]!.id);

    // One action on the incident resolves every child through the workflow.
    const { resolved } = await runCommand(actorOf(w.users.supplier), (ctx) => outageRestorer({ ctx, outageId: outage.id }));
    expect(resolved.sort()).toEqual(tickets.map((t) => t.id).sort());
    for (const t of tickets) {
      const now = await Ticket.findByPk(t.id);
      expect(now!.status).toBe("verified");
      expect(await TicketHistory.findOne({ where: { ticketId: t.id, action: "resolve_incident" } })).not.toBeNull();
    }
    expect((await Ticket.findByPk(unrelated.id))!.status).not.toBe("verified");
    await waitFor(
      async () => [0, 1, 2].every((i) => sentTo(chats[i]!).some((m) => m.text.includes("Подтвердите") && JSON.stringify(m.replyMarkup).includes(`t:${tickets[i]!.id}:confirm`))),
      "confirmation requests",
    );
    await waitFor(async () => chats.every((c) => sentTo(c).some((m) => m.text.includes("восстановлено"))), "restoration announced");
    expect(await activeOutagesForBuildings([b2.building.id])).toHaveLength(0);
  });
});
