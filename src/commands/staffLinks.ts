// Linking a staff member's Telegram or VK account to their platform user: a one-time code
// issued in the panel (expires, single use), used in the bot; unlinking from either side.
import { createHash, randomInt } from "node:crypto";
import { QueryTypes } from "sequelize";
import { sequelize } from "../db/sequelize.ts";
import type { Ctx } from "../context.ts";
import { errors } from "../errors.ts";
import { MessengerIdentity, type MessengerChannel } from "../models/Resident.ts";
import { User } from "../models/User.ts";

export const LINK_CODE_MINUTES = 15;
const hash = (code: string) => createHash("sha256").update(code).digest("hex");
/** Codes are typed by people: 8 digits, shown as "1234 5678"; spaces and dashes are ignored. */
export const normaliseCode = (raw: string) => raw.replace(/[\s-]/g, "");

export async function staffLinkCodeIssuer({ ctx }: { ctx: Ctx }): Promise<{ code: string; expiresAt: Date }> {
  const a = ctx.actor;
  if (a.kind !== "user" || !a.user.active) throw errors.unauthenticated();
  const code = String(randomInt(0, 100_000_000)).padStart(8, "0");
  const expiresAt = new Date(Date.now() + LINK_CODE_MINUTES * 60_000);
  // A new code replaces any earlier unused one.
  await sequelize().query("DELETE FROM staff_link_codes WHERE user_id = $1 AND used_at IS NULL", { bind: [a.user.id], transaction: ctx.transaction });
  await sequelize().query("INSERT INTO staff_link_codes (user_id, code_hash, expires_at) VALUES ($1, $2, $3)", {
    bind: [a.user.id, hash(code), expiresAt],
    transaction: ctx.transaction,
  });
  return { code, expiresAt };
}

export class LinkRefused extends Error {}

/** Uses a code from a messenger account. Throws LinkRefused with a Russian message; writes nothing then. */
export async function staffLinker({
  ctx,
  channel,
  externalId,
  username,
  code,
}: {
  ctx: Ctx;
  channel: MessengerChannel;
  externalId: string;
  username?: string | null;
  code: string;
}): Promise<User> {
  const c = normaliseCode(code);
  if (!/^\d{8}$/.test(c)) throw new LinkRefused("Код привязки — 8 цифр. Получите его в панели: «Профиль» → «Привязать мессенджер».");
  const rows = await sequelize().query<{ id: number; user_id: number; expires_at: Date; used_at: Date | null }>(
    "SELECT id, user_id, expires_at, used_at FROM staff_link_codes WHERE code_hash = $1 FOR UPDATE",
    { bind: [hash(c)], type: QueryTypes.SELECT, transaction: ctx.transaction },
  );
  const row = rows[0];
  if (!row) throw new LinkRefused("Код не найден. Проверьте цифры или получите новый код в панели.");
  if (row.used_at) throw new LinkRefused("Этот код уже использован. Получите новый код в панели.");
  if (new Date(row.expires_at) < new Date()) throw new LinkRefused("Срок действия кода истёк. Получите новый код в панели.");
  const user = await User.findByPk(row.user_id, { transaction: ctx.transaction });
  if (!user || !user.active) throw new LinkRefused("Учётная запись сотрудника отключена. Обратитесь к администратору.");
  const existing = await MessengerIdentity.findOne({ where: { channel, externalId }, transaction: ctx.transaction, lock: ctx.transaction.LOCK.UPDATE });
  if (existing?.residentId)
    throw new LinkRefused("Этот аккаунт зарегистрирован как аккаунт жителя. Для работы привяжите другой аккаунт мессенджера.");
  if (existing?.userId && existing.userId !== user.id) throw new LinkRefused("Этот аккаунт уже привязан к другому сотруднику. Сначала отвяжите его.");
  // One account per messenger per staff member: a new link replaces the old one.
  await MessengerIdentity.destroy({ where: { channel, userId: user.id }, transaction: ctx.transaction });
  await MessengerIdentity.create(
    { channel, externalId, residentId: null, userId: user.id, username: username ?? null, blockedAt: null },
    { transaction: ctx.transaction },
  );
  await sequelize().query("UPDATE staff_link_codes SET used_at = now(), used_channel = $2 WHERE id = $1", {
    bind: [row.id, channel],
    transaction: ctx.transaction,
  });
  return user;
}

/** The staff member behind a messenger account, if linked and active. */
/** The staff member linked to a messenger account; `known` is the account already read this turn. */
export async function linkedStaff(
  ctx: Ctx,
  channel: MessengerChannel,
  externalId: string,
  known?: MessengerIdentity | null,
): Promise<{ user: User | null; disabled: boolean }> {
  const identity = known !== undefined ? known : await MessengerIdentity.findOne({ where: { channel, externalId }, transaction: ctx.transaction });
  if (!identity?.userId) return { user: null, disabled: false };
  if (identity.blockedAt) await identity.update({ blockedAt: null }, { transaction: ctx.transaction });
  const user = await User.findByPk(identity.userId, { include: [{ association: "organisation" }], transaction: ctx.transaction });
  if (!user || !user.active || (user.organisation && !user.organisation.active)) return { user: null, disabled: true };
  return { user, disabled: false };
}

export async function staffUnlinker({ ctx, userId, channel }: { ctx: Ctx; userId: number; channel?: MessengerChannel }): Promise<number> {
  return MessengerIdentity.destroy({ where: { userId, ...(channel ? { channel } : {}) }, transaction: ctx.transaction });
}

export async function staffLinksOf(ctx: Ctx, userId: number) {
  const list = await MessengerIdentity.findAll({ where: { userId }, transaction: ctx.transaction, order: [["id", "ASC"]] });
  return list.map((i) => ({ id: i.id, channel: i.channel, username: i.username, linkedAt: i.createdAt.toISOString(), blocked: !!i.blockedAt }));
}
