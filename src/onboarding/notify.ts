// Tells people by e-mail (and their messengers) through the outbox: the notification worker delivers.
import { Op } from "sequelize";
import type { Ctx } from "../context.ts";
import { Organisation } from "../models/Organisation.ts";
import { User } from "../models/User.ts";
import { emit } from "../outbox/index.ts";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const htmlOf = (text: string) =>
  text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`)
    .join("\n");

export async function sendEmail(ctx: Ctx, key: string, to: string, subject: string, text: string): Promise<void> {
  await emit(ctx, "email.requested", { key, to, subject, text, html: htmlOf(text) });
}

/** E-mails the organisations (their own address and each active user's) and messages their users. */
export async function notifyOrganisations(
  ctx: Ctx,
  orgIds: number[],
  key: string,
  subject: string,
  text: string,
  extraEmails: string[] = [],
): Promise<string[]> {
  const orgs = await Organisation.findAll({ where: { id: orgIds }, transaction: ctx.transaction });
  const users = await User.findAll({ where: { organisationId: { [Op.in]: orgIds }, active: true }, transaction: ctx.transaction });
  const emails = new Set<string>();
  for (const e of [...orgs.map((o) => o.email), ...users.map((u) => u.email), ...extraEmails]) if (e) emails.add(e.toLowerCase());
  for (const to of emails) await sendEmail(ctx, `${key}:${to}`, to, subject, text);
  for (const u of users) await emit(ctx, "message.requested", { key: `${key}:user:${u.id}`, userId: u.id, text: `${subject}\n\n${text}` });
  return [...emails];
}
