// Outbox → deliveries → messenger: who hears what, rate limits under a burst, injected 429 and
// 500 answers, a blocked bot falling back to another channel, and the dead-letter list.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/context.ts";
import { Resident } from "../../src/models/Resident.ts";
import { MessengerIdentity } from "../../src/models/Resident.ts";
import { emit } from "../../src/outbox/index.ts";
import { registerMessenger, unregisterMessenger } from "../../src/notifications/channels.ts";
import { NotificationWorker } from "../../src/jobs/worker.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { act, actorOf, addWorkOrder, createTicket, makeResident, makeWorld, system, uid, type World } from "../support/factories.ts";
import { startFakeMessengerServer, telegramSender, vkSender, type FakeMessengerServer } from "../support/fakeTelegramSend.ts";
import { deliveriesWhere, settled, telegramOf, waitFor } from "./support.ts";

let db: TestDb;
let fake: FakeMessengerServer;
let worker: NotificationWorker;
let w: World;

beforeAll(async () => {
  db = await setupTestDb();
  fake = await startFakeMessengerServer();
  registerMessenger("telegram", telegramSender());
  registerMessenger("vk", vkSender());
  w = await makeWorld();
  worker = await new NotificationWorker(db.url, { deliver: { backoff: () => 200 }, pollMs: 500 }).start();
});
afterAll(async () => {
  await worker?.stop();
  unregisterMessenger("telegram");
  unregisterMessenger("vk");
  await fake?.close();
  await db?.close();
});

const sentTo = (chat: string) => fake.received.filter((r) => r.chatId === chat);

describe("who hears what", () => {
  it("tells the resident of every status change, and asks to confirm after verification", { timeout: 120_000 }, async () => {
    const chat = await telegramOf(fake, { residentId: w.resident.id });
    const contractorChat = await telegramOf(fake, { userId: w.users.contractor.id });
    const uoChat = await telegramOf(fake, { userId: w.users.uo.id });
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, residentId: w.resident.id });
    await act(actorOf(w.users.uo), t.id, "assign", { executorOrgId: w.contractor.id });
    // The contractor hears of the assignment with staff buttons carrying the ticket's version.
    const assigned = await waitFor(async () => sentTo(contractorChat)[0], "assignment");
    expect(assigned.text).toContain("Вам назначена заявка");
    expect(JSON.stringify(assigned.replyMarkup)).toContain(`s:${t.id}:accept:2`);
    await act(actorOf(w.users.contractor), t.id, "accept");
    const order = await addWorkOrder(actorOf(w.users.contractor), t.id);
    await act(actorOf(w.users.contractor), t.id, "report", { worksDone: "Заменена прокладка", workOrderAttachmentId: order.id });
    await act(actorOf(w.users.uo), t.id, "verify");
    await waitFor(async () => sentTo(chat).some((m) => m.text.includes("Подтвердите")) && (await settled([w.resident.id])), "verify message");

    const texts = sentTo(chat).map((m) => m.text);
    expect(texts[0]).toContain(`Заявка № ${t.number}`);
    expect(texts[0]).toContain("зарегистрирована");
    expect(texts.some((x) => x.includes("назначен исполнитель"))).toBe(true);
    expect(texts.some((x) => x.includes("принята в работу"))).toBe(true);
    const verify = sentTo(chat).find((m) => m.text.includes("Подтвердите"))!;
    expect(JSON.stringify(verify.replyMarkup)).toContain(`t:${t.id}:confirm`);
    expect(JSON.stringify(verify.replyMarkup)).toContain(`t:${t.id}:dispute`);
    // The УО heard of the new ticket and of the report.
    await waitFor(async () => sentTo(uoChat).length >= 2, "staff messages");
    expect(sentTo(uoChat).map((m) => m.text).join("\n")).toMatch(/Новая заявка[\s\S]*сообщил о выполнении/);
    // Each message exactly once.
    expect(new Set(texts).size).toBe(texts.length);
  });

  it("does not message an organisation that is not involved", async () => {
    const other = await makeWorld();
    const strangerChat = await telegramOf(fake, { userId: other.users.uo.id });
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, residentId: w.resident.id });
    await waitFor(async () => (await deliveriesWhere("key LIKE $1", [`ev:%`])).length > 0 && (await settled([w.resident.id])), "deliveries");
    await waitFor(async () => (await deliveriesWhere("text LIKE $1 AND status = 'sent'", [`%${t.number}%`])).length >= 2, "sent");
    expect(sentTo(strangerChat)).toHaveLength(0);
  });
});

describe("rate limits and failures", () => {
  it("keeps 1 message/s per chat and 30/s in total under a burst", { timeout: 120_000 }, async () => {
    const residents = await Promise.all(Array.from({ length: 45 }, () => makeResident()));
    const chats = await Promise.all(residents.map((r) => telegramOf(fake, { residentId: r.id })));
    await runCommand(system, async (ctx) => {
      for (const r of residents) await emit(ctx, "message.requested", { key: `burst-${uid()}`, residentId: r.id, text: "Проверка связи" });
      // Three more to the first chat: they must be a second apart.
      for (let i = 0; i < 3; i++) await emit(ctx, "message.requested", { key: `same-${uid()}`, residentId: residents[0]!.id, text: `Повтор ${i}` });
    });
    await waitFor(async () => chats.every((c) => sentTo(c).length > 0) && sentTo(chats[0]!).length === 4, "burst delivered", 40_000);
    const same = sentTo(chats[0]!).map((m) => m.at);
    for (let i = 1; i < same.length; i++) expect(same[i]! - same[i - 1]!, "gap in one chat").toBeGreaterThanOrEqual(950);
    const all = fake.received.filter((m) => chats.includes(m.chatId)).map((m) => m.at).sort((a, b) => a - b);
    for (let i = 0; i < all.length; i++) {
      const inWindow = all.filter((x) => x >= all[i]! && x < all[i]! + 1000).length;
      expect(inWindow, "messages within one second").toBeLessThanOrEqual(31);
    }
  });

  it("honours 429 retry_after and retries 500s, delivering exactly once", { timeout: 120_000 }, async () => {
    const r = await makeResident();
    const chat = await telegramOf(fake, { residentId: r.id });
    fake.failNext(chat, { status: 429, retryAfter: 1 }, { status: 500 }, { status: 500 });
    const before = fake.attempts;
    await runCommand(system, (ctx) => emit(ctx, "message.requested", { key: `k-${uid()}`, residentId: r.id, text: "После сбоев" }));
    await waitFor(async () => sentTo(chat).length === 1 && (await settled([r.id])), "delivered after faults");
    const [d] = await deliveriesWhere("resident_id = $1", [r.id]);
    expect(d!.status).toBe("sent");
    expect(d!.attempts).toBe(4);
    expect(fake.attempts - before).toBeGreaterThanOrEqual(4);
    expect(sentTo(chat)).toHaveLength(1);
  });

  it("a 429 storm longer than the attempt limit still delivers once: throttling is not a failure", { timeout: 120_000 }, async () => {
    const r = await makeResident();
    const chat = await telegramOf(fake, { residentId: r.id });
    fake.failNext(chat, ...Array.from({ length: 9 }, () => ({ status: 429 as const, retryAfter: 1 })));
    await runCommand(system, (ctx) => emit(ctx, "message.requested", { key: `storm-${uid()}`, residentId: r.id, text: "После шторма 429" }));
    await waitFor(async () => sentTo(chat).length === 1 && (await settled([r.id])), "delivered after the storm");
    const [d] = await deliveriesWhere("resident_id = $1", [r.id]);
    expect([d!.status, d!.attempts, d!.throttled]).toEqual(["sent", 10, 9]);
    expect(sentTo(chat)).toHaveLength(1);
  });

  it("honours VK error 6", async () => {
    const r = await makeResident();
    const chat = await telegramOf(fake, { residentId: r.id }, "vk");
    fake.failNext(chat, { vkError: 6 });
    await runCommand(system, (ctx) => emit(ctx, "message.requested", { key: `vk-${uid()}`, residentId: r.id, text: "ВК" }));
    await waitFor(async () => sentTo(chat).length === 1 && (await settled([r.id])), "vk delivered");
    expect((await deliveriesWhere("resident_id = $1", [r.id]))[0]!.attempts).toBe(2);
  });

  it("marks a blocked chat and reaches the resident on another channel", async () => {
    const r = await makeResident();
    const tg = await telegramOf(fake, { residentId: r.id });
    const vk = await telegramOf(fake, { residentId: r.id }, "vk");
    fake.blocked.add(tg);
    await runCommand(system, (ctx) => emit(ctx, "message.requested", { key: `b-${uid()}`, residentId: r.id, text: "Через ВК" }));
    await waitFor(async () => sentTo(vk).length === 1 && (await settled([r.id])), "fallback");
    expect(sentTo(tg)).toHaveLength(0);
    const ident = await MessengerIdentity.findOne({ where: { channel: "telegram", externalId: tg } });
    expect(ident!.blockedAt).not.toBeNull();
    const [d] = await deliveriesWhere("resident_id = $1", [r.id]);
    expect(d).toMatchObject({ status: "sent", channel: "vk" });
  });

  it("puts a message nobody can receive into the dead letters, never twice", async () => {
    const r = await makeResident();
    const tg = await telegramOf(fake, { residentId: r.id });
    fake.blocked.add(tg);
    const key = `dead-${uid()}`;
    await runCommand(system, async (ctx) => {
      await emit(ctx, "message.requested", { key, residentId: r.id, text: "Никому" });
      await emit(ctx, "message.requested", { key, residentId: r.id, text: "Никому (повтор того же ключа)" });
    });
    await waitFor(async () => (await deliveriesWhere("resident_id = $1", [r.id])).length > 0 && (await settled([r.id])), "settled");
    const rows = await deliveriesWhere("resident_id = $1", [r.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe("failed");
    expect(rows[0]!.last_error).toContain("blocked");
    const resident = await Resident.findByPk(r.id);
    expect(resident).not.toBeNull();
  });
});
