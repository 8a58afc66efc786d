// Persistence of the conversation: processed-update marks and chat sessions, in PostgreSQL,
// always inside the turn's transaction (a crash leaves neither a mark nor a half-done step). The
// two statements of every turn run prepared (src/db/prepared.ts).
import { preparedQuery } from "../../src/db/prepared.ts";
import { sequelize } from "../../src/db/sequelize.ts";
import { columnsOf, instanceOf } from "../../src/db/joinedRow.ts";
import type { Ctx } from "../../src/context.ts";
import { MessengerIdentity, Resident } from "../../src/models/Resident.ts";
import { initialState, type SessionState } from "./turn.ts";
import type { BotChannel } from "./types.ts";

/**
 * Marks the update as processed and loads the chat's session, locked until the turn's transaction
 * ends (one turn per chat at a time), in one statement. null: the update was already processed
 * (a redelivery; a concurrent twin is waited for). Without a key the update is not marked.
 */
export async function claimAndLock(ctx: Ctx, channel: BotChannel, key: string | undefined, chatId: string): Promise<SessionState | null> {
  const rows = await preparedQuery<{ state: SessionState }>(
    ctx.transaction,
    "op_bot_claim",
    `WITH claim AS (
       INSERT INTO bot_updates (channel, update_key) SELECT $1, $3 WHERE $3::text IS NOT NULL ON CONFLICT DO NOTHING RETURNING 1
     )
     INSERT INTO bot_sessions AS s (channel, chat_id, state) SELECT $1, $2, $4::jsonb WHERE $3::text IS NULL OR EXISTS (SELECT 1 FROM claim)
     ON CONFLICT (channel, chat_id) DO UPDATE SET channel = s.channel
     RETURNING s.state`,
    [channel, chatId, key ?? null, JSON.stringify(initialState())],
  );
  if (!rows.length) return null;
  const s = rows[0]!.state;
  return s && typeof s === "object" && typeof s.step === "string" ? { ...initialState(), ...s } : initialState();
}

export async function saveSession(ctx: Ctx, channel: BotChannel, chatId: string, state: SessionState): Promise<void> {
  await preparedQuery(ctx.transaction, "op_bot_session_save", "UPDATE bot_sessions SET state = $3::jsonb, updated_at = now() WHERE channel = $1 AND chat_id = $2", [
    channel,
    chatId,
    JSON.stringify(state),
  ]);
}

let identitySql: string | undefined;

/** The messenger account (with its resident, if registered): one plain prepared read per turn. */
export async function findIdentity(ctx: Ctx, channel: BotChannel, userId: string): Promise<MessengerIdentity | null> {
  identitySql ??= `SELECT ${columnsOf(MessengerIdentity, "i")}, ${columnsOf(Resident, "r")}
    FROM messenger_identities i LEFT JOIN residents r ON r.id = i.resident_id
   WHERE i.channel = $1 AND i.external_id = $2 LIMIT 1`;
  const [row] = await preparedQuery<Record<string, unknown>>(ctx.transaction, "op_bot_identity", identitySql, [channel, userId]);
  const identity = row ? instanceOf(MessengerIdentity, row, "i") : null;
  if (identity) identity.resident = instanceOf(Resident, row!, "r");
  // They write again, so they unblocked the bot: pushes may use this chat again.
  if (identity?.blockedAt) await identity.update({ blockedAt: null }, { transaction: ctx.transaction });
  return identity;
}

/** The registered resident behind a messenger account. */
export const residentOf = (identity: MessengerIdentity | null): Resident | null =>
  identity?.residentId && identity.resident && !identity.resident.anonymisedAt ? identity.resident : null;

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
