// Helpers for the notification tests: waiting on the database, messenger accounts.
import { QueryTypes } from "sequelize";
import { sequelize } from "../../src/db/sequelize.ts";
import { MessengerIdentity } from "../../src/models/Resident.ts";
import { uid } from "../support/factories.ts";
import { chatIdFor, type FakeMessengerServer } from "../support/fakeTelegramSend.ts";

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 25_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A messenger account for a resident or user, with a chat id owned by this stand-in. */
export async function telegramOf(fake: FakeMessengerServer, who: { residentId?: number; userId?: number }, channel: "telegram" | "vk" = "telegram"): Promise<string> {
  const chat = chatIdFor(fake);
  await MessengerIdentity.create({
    channel,
    externalId: chat,
    residentId: who.residentId ?? null,
    userId: who.userId ?? null,
    username: `u${uid()}`,
    blockedAt: null,
  });
  return chat;
}

export async function deliveriesWhere(sql: string, bind: unknown[]) {
  return sequelize().query<{ id: number; status: string; channel: string; address: string; kind: string; key: string; attempts: number; throttled: number; last_error: string | null; text: string }>(
    `SELECT id, status, channel, address, kind, key, attempts, throttled, last_error, text FROM deliveries WHERE ${sql} ORDER BY id`,
    { bind, type: QueryTypes.SELECT },
  );
}

/** Every delivery of these recipients is final (sent, failed, skipped…), none pending. */
export async function settled(residentIds: number[]): Promise<boolean> {
  const rows = await sequelize().query<{ n: number }>(
    `SELECT count(*)::int AS n FROM deliveries WHERE resident_id = ANY($1::int[]) AND status IN ('queued','retry','sending')`,
    { bind: [residentIds], type: QueryTypes.SELECT },
  );
  return rows[0]!.n === 0;
}

export async function outboxDrained(): Promise<boolean> {
  const rows = await sequelize().query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE processed_at IS NULL", { type: QueryTypes.SELECT });
  return rows[0]!.n === 0;
}
