// Single-use, expiring invitation links to set a password. Only the token's hash is stored.
import { randomBytes } from "node:crypto";
import { sha256 } from "../auth/sessions.ts";
import { config } from "../config.ts";
import type { Ctx } from "../context.ts";
import { Invitation } from "../models/ConnectionRequest.ts";
import type { User } from "../models/User.ts";
import { sendEmail } from "./notify.ts";

export const invitationUrl = (token: string) => `${config().http.publicUrl.replace(/\/$/, "")}/invite/${token}`;

/** Creates an invitation for the user and e-mails the link; returns the invitation row. */
export async function inviteUser(ctx: Ctx, user: User, orgName: string): Promise<Invitation> {
  const token = randomBytes(32).toString("base64url");
  const hours = config().personalData.invitationHours;
  const inv = await Invitation.create({ userId: user.id, tokenHash: sha256(token), expiresAt: new Date(Date.now() + hours * 3_600_000) }, { transaction: ctx.transaction });
  await sendEmail(
    ctx,
    `invitation:${inv.id}`,
    user.email!,
    "Доступ к системе «Открытая Печора»",
    `Здравствуйте, ${user.fullName}!\n\nДля вас создана учётная запись в системе «Открытая Печора» (${orgName}). Ваш логин: ${user.login}\n\nЧтобы задать пароль, откройте ссылку (она действует ${hours} ч и только один раз):\n${invitationUrl(token)}\n\nЕсли вы не ждали этого письма, просто не открывайте ссылку.`,
  );
  return inv;
}
