// Sends one delivery: waits for its slot in the shared send schedule, claims the row, calls the
// channel's sender and records the outcome. The claim is committed before the call, so a job
// re-run after a crash never sends a delivery twice; a claim whose worker vanished mid-call is
// marked "uncertain" for the admin instead of being sent again.
import type PgBoss from "pg-boss";
import { QueryTypes } from "sequelize";
import { sequelize } from "../db/sequelize.ts";
import { enqueueDelivery } from "./queue.ts";
import { logger } from "../logger.ts";
import { Delivery } from "../models/Notification.ts";
import { MessengerIdentity } from "../models/Resident.ts";
import { emailSender, messenger, type ChannelName, type DeliveryResult, type MessageButton } from "./channels.ts";
import { configuredLimits, holdBucket, pace, reserveSlot, type ChannelLimit } from "./rateLimit.ts";
import { routesFor, type Recipient } from "./recipients.ts";

export interface DeliverOptions {
  limits?: Record<ChannelName, ChannelLimit>;
  /** Attempts before a delivery goes to the dead letters. */
  maxAttempts?: number;
  /** A claim older than this belonged to a worker that died mid-send. */
  claimTimeoutMs?: number;
  /** Longest wait for a slot inside one job; longer waits reschedule the job. */
  maxInlineWaitMs?: number;
  /** Wait before retry n when the service gave no hint (default 5 s, doubling, at most 10 min). */
  backoff?: (attempt: number) => number;
  /** How long a delivery waits for an instance that has its channel's sender. */
  foreignWaitMs?: number;
}

const FINAL = new Set(["sent", "failed", "dead", "skipped", "uncertain"]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A delivery is sent at most maxAttempts × this many times, throttled sends included. */
const MAX_SENDS_FACTOR = 6;

export const backoffMs = (attempt: number) => Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 10 * 60_000);

function recipientOf(d: Delivery): Recipient | null {
  if (d.residentId) return { residentId: d.residentId };
  if (d.userId) return { userId: d.userId };
  if (d.email) return { email: d.email };
  return null;
}

async function send(d: Delivery): Promise<DeliveryResult> {
  const ch = d.channel as ChannelName;
  if (ch === "email") {
    const s = emailSender();
    if (!s) return { status: "retry", afterMs: 60_000, error: "e-mail sender is not configured" };
    return s.send({ to: d.address!, subject: d.subject ?? firstLine(d.text), text: d.text, html: d.html ?? d.text });
  }
  const s = messenger(ch);
  if (!s) return { status: "retry", afterMs: 60_000, error: `${ch} sender is not registered` };
  return s.send({ chatId: d.address!, text: d.text, buttons: (d.buttons as MessageButton[][] | null) ?? undefined });
}

/** Kinds fanned out as e-mail only (requested e-mails, digests) carry an "email:" prefix. */
const emailOnly = (d: Delivery) => d.kind.startsWith("email:");

/**
 * Picks the recipient's channel. "skipped": none at all. "elsewhere": the best channel's sender
 * lives on another instance — leave the delivery to it for a while, then do without that channel.
 */
async function route(d: Delivery, foreignWaitMs: number): Promise<"ok" | "skipped" | "elsewhere"> {
  const r = recipientOf(d);
  const all = r ? await routesFor(r, { emailOnly: emailOnly(d), exclude: d.triedChannels, all: true }) : [];
  const patient = Date.now() - d.createdAt.getTime() < foreignWaitMs;
  const pick = patient ? all[0] : all.find((x) => x.available);
  if (!pick) {
    await update(d.id, { status: "skipped", lastError: all.length ? "Нет отправителя для каналов получателя" : "Нет доступного канала связи" });
    return "skipped";
  }
  if (!pick.available) return "elsewhere";
  const tried = [...d.triedChannels, pick.channel];
  d.set({ channel: pick.channel, address: pick.address, triedChannels: tried });
  await update(d.id, { channel: pick.channel, address: pick.address, triedChannels: tried });
  return "ok";
}

/**
 * How long a delivery whose sender lives on another instance waits before it is looked at again:
 * a second at first, then a quarter of its age, at most 15 s. (Every second for the whole wait
 * kept an instance without that sender — no SMTP configured, say — busy re-reading each one.)
 */
function elsewhereWait(d: Delivery): number {
  return Math.min(15_000, Math.max(1000, (Date.now() - d.createdAt.getTime()) / 4));
}

const firstLine = (s: string) => `Открытая Печора: ${s.split("\n")[0]!.slice(0, 80)}`;

async function update(id: number, fields: Record<string, unknown>): Promise<void> {
  await Delivery.update(fields as Partial<Delivery>, { where: { id } });
}

/** Moves a delivery on to the recipient's next channel after this one proved dead; false if none. */
async function fallBack(boss: PgBoss, d: Delivery, error: string): Promise<boolean> {
  const r = recipientOf(d);
  const next = r ? (await routesFor(r, { exclude: d.triedChannels, emailOnly: emailOnly(d), all: true }))[0] : undefined;
  if (!next) {
    await update(d.id, { status: "failed", lastError: `${error}; других каналов нет`, claimedAt: null });
    return false;
  }
  await update(d.id, { status: "queued", channel: null, address: null, lastError: error, claimedAt: null, nextAttemptAt: new Date() });
  await enqueueDelivery(boss, d.id, {});
  return true;
}

export async function deliverOne(boss: PgBoss, deliveryId: number, opts: DeliverOptions = {}): Promise<string> {
  const limits = opts.limits ?? configuredLimits();
  // 12 failures with the back-off below: a channel down for about 50 minutes loses nothing.
  const maxAttempts = opts.maxAttempts ?? 12;
  const d = await Delivery.findByPk(deliveryId);
  if (!d || FINAL.has(d.status)) return "done";
  if (d.status === "sending") {
    const age = Date.now() - (d.claimedAt?.getTime() ?? 0);
    if (age < (opts.claimTimeoutMs ?? 60_000)) return "busy";
    await sequelize().query(
      `UPDATE deliveries SET status = 'uncertain', updated_at = now(),
         last_error = 'Отправка прервана остановкой обработчика: неизвестно, дошло ли сообщение' WHERE id = $1 AND status = 'sending'`,
      { bind: [d.id] },
    );
    return "uncertain";
  }
  const dueIn = d.nextAttemptAt.getTime() - Date.now();
  if (dueIn > 50) {
    await enqueueDelivery(boss, d.id, { startAfterMs: dueIn });
    return "later";
  }
  // One person reads their messages in the order they were caused: wait for earlier ones.
  const earlier = await sequelize().query<{ id: number }>(
    `SELECT id FROM deliveries WHERE id < $4 AND status IN ('queued','retry','sending')
        AND (resident_id = $1 OR user_id = $2 OR (resident_id IS NULL AND user_id IS NULL AND email = $3)) LIMIT 1`,
    { bind: [d.residentId ?? -1, d.userId ?? -1, d.email ?? "", d.id], type: QueryTypes.SELECT },
  );
  if (earlier.length) {
    const wait = d.channel === "telegram" ? limits.telegram.perChatGapMs : 200;
    await enqueueDelivery(boss, d.id, { startAfterMs: wait });
    return "later";
  }
  if (!d.channel) {
    const r = await route(d, opts.foreignWaitMs ?? 10 * 60_000);
    if (r === "skipped") return r;
    if (r === "elsewhere") {
      await enqueueDelivery(boss, d.id, { startAfterMs: elsewhereWait(d) });
      return r;
    }
  }
  const channel = d.channel as ChannelName;
  if (!(channel === "email" ? emailSender() : messenger(channel))) {
    // Routed by an instance that has this channel: leave it to one, or move on when none appears.
    if (Date.now() - d.createdAt.getTime() > (opts.foreignWaitMs ?? 10 * 60_000)) {
      await fallBack(boss, d, `нет отправителя для канала ${channel}`);
      return "fallback";
    }
    await enqueueDelivery(boss, d.id, { startAfterMs: elsewhereWait(d) });
    return "elsewhere";
  }
  const slot = await reserveSlot(channel, d.address!, limits[channel], opts.maxInlineWaitMs ?? 1500);
  if ("busyForMs" in slot) {
    const wait = slot.busyForMs;
    await update(d.id, { nextAttemptAt: new Date(Date.now() + wait) });
    await enqueueDelivery(boss, d.id, { startAfterMs: wait });
    return "later";
  }
  if (slot.sendInMs > 0) await sleep(slot.sendInMs);

  const claimed = await sequelize().query<{ id: number }>(
    `UPDATE deliveries SET status = 'sending', claimed_at = now(), attempts = attempts + 1, updated_at = now()
      WHERE id = $1 AND status IN ('queued', 'retry') RETURNING id`,
    { bind: [d.id], type: QueryTypes.SELECT },
  );
  if (!claimed.length) return "taken";
  const attempt = d.attempts + 1;
  let result: DeliveryResult;
  const answered = await pace(channel, limits[channel]);
  try {
    result = await send(d);
  } catch (err) {
    result = { status: "retry", afterMs: 0, error: err instanceof Error ? err.message : String(err) };
  } finally {
    answered();
  }
  switch (result.status) {
    case "sent":
      await update(d.id, { status: "sent", sentAt: new Date(), externalId: result.externalId ?? null, lastError: null });
      return "sent";
    case "retry": {
      // The service's own "wait": hold the chat (Telegram 429) or the whole channel (VK error 6).
      const hold = result.hold ?? (/retry_after|too many|error 6|429/i.test(result.error) ? (channel === "telegram" ? "chat" : "channel") : null);
      // "Too many requests" is flow control, not a failure: only failures lead to the dead letters
      // (with a bound on all sends, in case a service throttled for ever).
      const throttled = d.throttled + (hold ? 1 : 0);
      if (attempt - throttled >= maxAttempts || attempt >= maxAttempts * MAX_SENDS_FACTOR) {
        await update(d.id, { status: "dead", lastError: result.error, claimedAt: null, throttled });
        logger.warn({ deliveryId: d.id, error: result.error }, "delivery moved to dead letters");
        return "dead";
      }
      const wait = Math.max(result.afterMs, 0) || (opts.backoff ?? backoffMs)(attempt - throttled);
      if (hold) await holdBucket(channel, hold === "chat" ? d.address : null, wait);
      await update(d.id, { status: "retry", lastError: result.error, nextAttemptAt: new Date(Date.now() + wait), claimedAt: null, throttled });
      await enqueueDelivery(boss, d.id, { startAfterMs: wait });
      return "retry";
    }
    case "blocked":
      if (channel !== "email")
        await MessengerIdentity.update({ blockedAt: new Date() }, { where: { channel, externalId: d.address!, blockedAt: null } });
      return (await fallBack(boss, d, result.error)) ? "fallback" : "failed";
    case "failed":
      if (channel === "email" || !(await fallBack(boss, d, result.error))) {
        await update(d.id, { status: "failed", lastError: result.error, claimedAt: null });
        return "failed";
      }
      return "fallback";
  }
}
