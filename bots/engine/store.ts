// Persistence of the conversation: processed-update marks and chat sessions, in PostgreSQL,
// always inside the turn's transaction (a crash leaves neither a mark nor a half-done step).
import { QueryTypes } from "sequelize";
import { sequelize } from "../../src/db/sequelize.ts";
import type { Ctx } from "../../src/context.ts";
import { MessengerIdentity, Resident } from "../../src/models/Resident.ts";
import { initialState, type SessionState } from "./turn.ts";
import type { BotChannel } from "./types.ts";

/** Marks an update as processed; false when it already was (a redelivery). Waits for a concurrent twin. */
export async function claimUpdate(ctx: Ctx, channel: BotChannel, key: string): Promise<boolean> {
  const rows = await sequelize().query<{ ok: number }>(
    "INSERT INTO bot_updates (channel, update_key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1 AS ok",
    { bind: [channel, key], type: QueryTypes.SELECT, transaction: ctx.transaction },
  );
  return rows.length === 1;
}

/** Loads the chat's session, locked until the turn's transaction ends (one turn per chat at a time). */
export async function lockSession(ctx: Ctx, channel: BotChannel, chatId: string): Promise<SessionState> {
  await sequelize().query("INSERT INTO bot_sessions (channel, chat_id, state) VALUES ($1, $2, $3::jsonb) ON CONFLICT DO NOTHING", {
    bind: [channel, chatId, JSON.stringify(initialState())],
    transaction: ctx.transaction,
  });
  const rows = await sequelize().query<{ state: SessionState }>("SELECT state FROM bot_sessions WHERE channel = $1 AND chat_id = $2 FOR UPDATE", {
    bind: [channel, chatId],
    type: QueryTypes.SELECT,
    transaction: ctx.transaction,
  });
  const s = rows[0]?.state;
  return s && typeof s === "object" && typeof s.step === "string" ? { ...initialState(), ...s } : initialState();
}

export async function saveSession(ctx: Ctx, channel: BotChannel, chatId: string, state: SessionState): Promise<void> {
  await sequelize().query("UPDATE bot_sessions SET state = $3::jsonb, updated_at = now() WHERE channel = $1 AND chat_id = $2", {
    bind: [channel, chatId, JSON.stringify(state)],
    transaction: ctx.transaction,
  });
}

/** The resident behind a messenger account, if registered. */
export async function findResident(ctx: Ctx, channel: BotChannel, userId: string): Promise<Resident | null> {
  const identity = await MessengerIdentity.findOne({ where: { channel, externalId: userId }, transaction: ctx.transaction });
  if (!identity?.residentId) return null;
  // They write again, so they unblocked the bot: pushes may use this chat again.
  if (identity.blockedAt) await identity.update({ blockedAt: null }, { transaction: ctx.transaction });
  const r = await Resident.findByPk(identity.residentId, { transaction: ctx.transaction });
  return r && !r.anonymisedAt ? r : null;
}

/** Forgets a channel's processed-update marks older than `days` (messengers redeliver for a day at most). */
export async function pruneUpdates(channel: BotChannel, days = 7): Promise<number> {
  const [, meta] = (await sequelize().query("DELETE FROM bot_updates WHERE channel = $1 AND processed_at < now() - make_interval(days => $2)", {
    bind: [channel, days],
  })) as [unknown, { rowCount?: number }];
  return meta?.rowCount ?? 0;
}

/** Prunes now and every six hours; returns the stop function. */
export function schedulePruning(channel: BotChannel): () => void {
  const run = () => void pruneUpdates(channel).catch(() => {});
  run();
  const timer = setInterval(run, 6 * 3600_000);
  timer.unref();
  return () => clearInterval(timer);
}
