// E-mail through a real SMTP server: HTML and text parts, Russian subjects, a refused address
// in the dead letters, a temporary refusal retried, e-mail as the fallback channel, the digest.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/context.ts";
import { emit } from "../../src/outbox/index.ts";
import { registerEmail } from "../../src/notifications/channels.ts";
import { smtpSender } from "../../src/notifications/email.ts";
import { NotificationWorker } from "../../src/jobs/worker.ts";
import { dailyDigests, digestTick } from "../../src/jobs/tasks.ts";
import { DateTime } from "luxon";
import { config } from "../../src/config.ts";
import { Organisation } from "../../src/models/Organisation.ts";
import { Resident } from "../../src/models/Resident.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { actorOf, createTicket, makeResident, makeWorld, system, uid } from "../support/factories.ts";
import { startSmtpServer, type TestSmtp } from "../support/smtpServer.ts";
import { deliveriesWhere, settled, waitFor } from "./support.ts";

let db: TestDb;
let smtp: TestSmtp;
let worker: NotificationWorker;
let sender: ReturnType<typeof smtpSender>;

beforeAll(async () => {
  db = await setupTestDb();
  smtp = await startSmtpServer();
  sender = smtpSender({ url: smtp.url, from: "Открытая Печора <noreply@pechora.test>", ignoreTLS: true });
  registerEmail(sender);
  worker = await new NotificationWorker(db.url, { deliver: { backoff: () => 200 }, pollMs: 500 }).start();
});
afterAll(async () => {
  await worker?.stop();
  registerEmail(undefined);
  sender?.close();
  await smtp?.close();
  await db?.close();
});

/** Decodes RFC 2047 encoded words of a header. */
function header(raw: string, name: string): string {
  const m = raw.match(new RegExp(`^${name}: (.*(?:\\r?\\n[ \\t].*)*)`, "mi"));
  const v = (m?.[1] ?? "").replace(/\r?\n[ \t]/g, " ");
  return v
    .replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*/gi, (_s, enc: string, data: string) =>
      enc.toUpperCase() === "B"
        ? Buffer.from(data, "base64").toString("utf8")
        : Buffer.from(data.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8"),
    )
    .trim();
}
const mailTo = (addr: string) => smtp.mails.filter((m) => m.to.includes(addr));

describe("e-mail", () => {
  it("sends text and HTML parts with a Russian subject, once", async () => {
    const to = `uo-${uid()}@pechora.test`;
    const key = `mail-${uid()}`;
    await runCommand(system, async (ctx) => {
      await emit(ctx, "email.requested", { key, to, subject: "Новая заявка № 1", text: "Текст письма", html: "<p>Текст письма</p>" });
      await emit(ctx, "email.requested", { key, to, subject: "Новая заявка № 1", text: "Текст письма", html: "<p>Текст письма</p>" });
    });
    await waitFor(async () => mailTo(to).length > 0 && (await deliveriesWhere("key = $1", [`mail:${key}:e:${to}`]))[0]?.status === "sent", "mail");
    expect(mailTo(to)).toHaveLength(1);
    const raw = mailTo(to)[0]!.raw;
    expect(header(raw, "Subject")).toBe("Новая заявка № 1");
    expect(raw).toMatch(/multipart\/alternative/);
    expect(raw).toMatch(/text\/plain/);
    expect(raw).toMatch(/text\/html/);
  });

  it("puts an address the server refuses into the dead letters after one attempt", async () => {
    const to = `gone-${uid()}@pechora.test`;
    smtp.refuse.add(to);
    await runCommand(system, (ctx) => emit(ctx, "email.requested", { key: `r-${uid()}`, to, subject: "Проверка", text: "x" }));
    const row = await waitFor(async () => (await deliveriesWhere("email = $1 AND status = 'failed'", [to]))[0], "failed delivery");
    expect(row.attempts).toBe(1);
    expect(row.last_error).toMatch(/550|отклон/);
  });

  it("retries a temporary refusal and delivers once", async () => {
    const to = `later-${uid()}@pechora.test`;
    smtp.failNext(1);
    await runCommand(system, (ctx) => emit(ctx, "email.requested", { key: `t-${uid()}`, to, subject: "Повтор", text: "x" }));
    const row = await waitFor(async () => (await deliveriesWhere("email = $1 AND status = 'sent'", [to]))[0], "sent after retry");
    expect(row.attempts).toBe(2);
    expect(mailTo(to)).toHaveLength(1);
  });

  it("reaches a resident without a messenger by e-mail", async () => {
    const w = await makeWorld();
    const email = `resident-${uid()}@pechora.test`;
    await Resident.update({ email }, { where: { id: w.resident.id } });
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, residentId: w.resident.id });
    await waitFor(async () => mailTo(email).length > 0 && (await settled([w.resident.id])), "resident mail");
    expect(header(mailTo(email)[0]!.raw, "Subject")).toContain(`Заявка № ${t.number}`);
  });

  it("sends the daily digest to the УО once a day", async () => {
    const w = await makeWorld();
    const email = `digest-${uid()}@pechora.test`;
    await Organisation.update({ email }, { where: { id: w.uo.id } });
    await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, residentId: (await makeResident()).id });
    const now = new Date();
    expect(await dailyDigests(now)).toBeGreaterThan(0);
    await dailyDigests(now); // a second run the same day adds nothing
    await waitFor(async () => mailTo(email).length > 0, "digest");
    await new Promise((r) => setTimeout(r, 500));
    expect(mailTo(email)).toHaveLength(1);
    expect(header(mailTo(email)[0]!.raw, "Subject")).toContain("Ежедневная сводка");
  });

  it("sends the digest at the hour the settings say, in the district's time", async () => {
    const w = await makeWorld();
    const email = `digest-hour-${uid()}@pechora.test`;
    await Organisation.update({ email }, { where: { id: w.uo.id } });
    await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, residentId: (await makeResident()).id });
    // tomorrow (a day no other test sent a digest for), 06:00 and 07:00 district time
    const day = DateTime.now().setZone(config().district.timezone).plus({ days: 1 }).startOf("day");
    const six = day.set({ hour: 6 }).toJSDate();
    const seven = day.set({ hour: 7 }).toJSDate();
    expect(await digestTick(six)).toBe(0); // default hour 08:00
    await db.sequelize.query(`INSERT INTO settings (key, value) VALUES ('notifications.schedule', '{"digestHour": 7}')
      ON CONFLICT (key) DO UPDATE SET value = settings.value || EXCLUDED.value`);
    try {
      expect(await digestTick(six)).toBe(0);
      expect(await digestTick(seven)).toBeGreaterThan(0);
      expect(await digestTick(seven)).toBe(0); // once a day
    } finally {
      await db.sequelize.query(`UPDATE settings SET value = value - 'digestHour' WHERE key = 'notifications.schedule'`);
    }
    await waitFor(async () => mailTo(email).length > 0, "digest");
  });
});
