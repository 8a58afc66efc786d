// Idempotency-Key (draft-ietf-httpapi-idempotency-key-header) for creates through the API: the
// key is remembered with the request's fingerprint and the ticket it made, in the creating
// transaction. The same key and request again → the same ticket; the same key with another
// request → a clear refusal; two at once → one creates, the other waits for it and gets its ticket.
import { createHash } from "node:crypto";
import { QueryTypes, UniqueConstraintError } from "sequelize";
import type { Actor, Ctx } from "../context.ts";
import { sequelize } from "../db/sequelize.ts";
import { AppError, errors } from "../errors.ts";

const KEY = /^[\x21-\x7e]{1,200}$/;

export interface IdempotentRequest {
  actor: string;
  key: string;
  hash: string;
}

/** The request's key (validated) and fingerprint; null when the client sent no key. */
export function idempotentRequest(actor: Actor, header: string | string[] | undefined, body: unknown): IdempotentRequest | null {
  if (header === undefined) return null;
  const raw = Array.isArray(header) ? header.join(",") : header;
  // Structured-field string form ("…") or a bare token, as clients send both.
  const key = raw.trim().replace(/^"(.*)"$/, "$1");
  if (!KEY.test(key))
    throw errors.badRequest("Заголовок Idempotency-Key должен содержать от 1 до 200 видимых латинских символов.", "idempotency_key_invalid");
  const who = actor.kind === "user" ? `user:${actor.user.id}` : actor.kind === "resident" ? `resident:${actor.resident.id}` : actor.kind;
  return { actor: who, key, hash: createHash("sha256").update(JSON.stringify(body)).digest("hex") };
}

/** The ticket an earlier request with this key made (null: none yet); refuses a different request. */
export async function earlierTicket(req: IdempotentRequest): Promise<number | null> {
  const [row] = await sequelize().query<{ request_hash: string; ticket_id: number }>(
    "SELECT request_hash, ticket_id FROM idempotency_keys WHERE actor = $1 AND key = $2",
    { bind: [req.actor, req.key], type: QueryTypes.SELECT },
  );
  if (!row) return null;
  if (row.request_hash !== req.hash)
    throw new AppError(422, "idempotency_key_reused", "Этот Idempotency-Key уже использован для другого запроса. Для новой заявки нужен новый ключ.");
  return row.ticket_id;
}

/** Remembers the key in the creating transaction (a concurrent twin fails here and is answered from the winner). */
export async function rememberKey(ctx: Ctx, req: IdempotentRequest, ticketId: number): Promise<void> {
  await sequelize().query("INSERT INTO idempotency_keys (actor, key, request_hash, ticket_id) VALUES ($1, $2, $3, $4)", {
    bind: [req.actor, req.key, req.hash, ticketId],
    transaction: ctx.transaction,
  });
}

/** Runs the create unless the key already made a ticket; returns the ticket id and whether it is new. */
export async function createOnce<T extends { id: number }>(req: IdempotentRequest | null, create: () => Promise<T>): Promise<{ created: T } | { replayOf: number }> {
  if (!req) return { created: await create() };
  const earlier = await earlierTicket(req);
  if (earlier) return { replayOf: earlier };
  try {
    return { created: await create() };
  } catch (err) {
    if (!(err instanceof UniqueConstraintError) || !(err.parent as { table?: string } | undefined)?.table?.startsWith("idempotency_keys")) throw err;
    const winner = await earlierTicket(req);
    if (!winner) throw err;
    return { replayOf: winner };
  }
}
