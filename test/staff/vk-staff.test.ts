// Staff in VK: the same staff dialogue through vk-io and the Callback API — link, assignment with
// buttons, the card with the resident's photo uploaded, accept, report with a work-order photo.
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { actorOf, createTicket, makeWorld, PNG, type World } from "../support/factories.ts";
import { startTestApp, loginAs } from "../support/app.ts";
import { startVkApiServer, type VkApiServer } from "../support/vkApiServer.ts";
import { runCommand } from "../../src/context.ts";
import { attachmentAdder } from "../../src/commands/attachmentAdder.ts";
import type { Platform } from "../../src/server.ts";
import { VK_CALLBACK_PATH, vkDoor } from "../../bots/vk/index.ts";
import { notificationsDoor } from "../../src/jobs/door.ts";
import { Ticket, TicketHistory } from "../../src/models/Ticket.ts";

let db: TestDb;
let w: World;
let vk: VkApiServer;
let app: Platform;
const SECRET = "vk-staff-secret";
const PEER = 20_000_000 + Math.floor(Math.random() * 1e6);

beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
  vk = await startVkApiServer({ secret: SECRET });
  app = await startTestApp({
    doors: [vkDoor, notificationsDoor],
    env: { VK_TOKEN: vk.token, VK_GROUP_ID: String(vk.groupId), VK_SECRET: SECRET, VK_CONFIRMATION: "c1", VK_API_BASE_URL: vk.apiBaseUrl, VK_MODE: "callback" },
  });
});
afterAll(async () => {
  await app?.stop();
  await vk?.close();
  await db.close();
});

async function send(body: Record<string, unknown>) {
  const before = vk.sent(PEER).length;
  expect(await vk.deliver(app.url + VK_CALLBACK_PATH, body)).toEqual({ status: 200, text: "ok" });
  return vk.sent(PEER).slice(before).map((s) => s.text).join("\n");
}
async function waitFor(re: RegExp) {
  for (let i = 0; i < 200; i++) {
    const m = vk.sent(PEER).find((s) => re.test(s.text));
    if (m) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no message ${re}`);
}
const payloadOf = (m: { keyboard?: any }, label: RegExp) =>
  JSON.parse(m.keyboard.buttons.flat().find((b: any) => label.test(b.action.label)).action.payload).d as string;

it("links, receives an assignment, accepts and reports with a work order", async () => {
  const c = await loginAs(app.url, w.users.contractor);
  const code = (await c.post("/api/me/messenger-links/codes", {})).body.code;
  expect(await send(vk.messageNew(PEER, `/link ${code}`))).toContain("Аккаунт привязан");

  const op = actorOf(w.users.operator);
  const t = await createTicket(op, { buildingId: w.building.id, residentId: w.resident.id, description: "Не закрывается дверь подъезда" });
  await runCommand(op, (ctx) => attachmentAdder({ ctx, ticketId: t.id, kind: "photo", originalName: "дверь.png", data: PNG }));
  const { act } = await import("../support/factories.ts");
  await act(actorOf(w.users.uo), t.id, "assign", { executorOrgId: w.contractor.id });

  const assigned = await waitFor(new RegExp(`Вам назначена заявка: Заявка № ${t.number}`));
  expect(await send(vk.messageEvent(PEER, payloadOf(assigned, /Открыть заявку/)))).toContain("Не закрывается дверь");
  expect(vk.uploads.length).toBeGreaterThan(0);
  expect(vk.calls.some((x) => x.method === "messages.send" && /^photo-/.test(x.params.attachment ?? ""))).toBe(true);

  expect(await send(vk.messageEvent(PEER, payloadOf(assigned, /^Принять$/)))).toContain("Готово");
  const card = vk.sent(PEER).filter((m) => m.keyboard).slice(-1)[0]!;
  expect(await send(vk.messageEvent(PEER, payloadOf(card, /^Выполнено$/)))).toContain("Опишите выполненные работы");
  expect(await send(vk.messageNew(PEER, "Отрегулирован доводчик, заменена петля"))).toContain("заказа-наряда");
  const url = vk.addFile(PNG, "naryad.png");
  expect(await send(vk.messageNew(PEER, "", [vk.photo(url)]))).toContain("Готово: «Выполнено»");

  expect((await Ticket.findByPk(t.id))!.status).toBe("reported");
  const h = await TicketHistory.findAll({ where: { ticketId: t.id, action: ["accept", "report"] } });
  expect(h.map((x) => x.actorUserId)).toEqual([w.users.contractor.id, w.users.contractor.id]);
});
