// A new staff user opens their invitation link and sets a password. Single use; expiry enforced.
import { sha256, setPassword } from "../auth/sessions.ts";
import { passwordRules } from "../auth/passwords.ts";
import type { Ctx } from "../context.ts";
import { AppError, errors } from "../errors.ts";
import { Invitation } from "../models/ConnectionRequest.ts";
import { Organisation } from "../models/Organisation.ts";
import { User } from "../models/User.ts";

export async function findInvitation(ctx: Ctx, token: string, lock = false): Promise<{ invitation: Invitation; user: User }> {
  const invitation = await Invitation.findOne({ where: { tokenHash: sha256(token) }, transaction: ctx.transaction, ...(lock ? { lock: ctx.transaction.LOCK.UPDATE } : {}) });
  if (!invitation) throw new AppError(404, "invitation_not_found", "Ссылка-приглашение не найдена. Проверьте, что она скопирована целиком.");
  if (invitation.usedAt) throw new AppError(410, "invitation_used", "Эта ссылка уже использована: пароль задан. Войдите со своим логином или попросите администратора сбросить пароль.");
  if (invitation.expiresAt < new Date()) throw new AppError(410, "invitation_expired", "Срок действия ссылки истёк. Попросите МКУ или администратора выслать новое приглашение.");
  const user = await User.findByPk(invitation.userId, { include: [{ model: Organisation, as: "organisation" }], transaction: ctx.transaction });
  if (!user || !user.active) throw new AppError(410, "invitation_revoked", "Учётная запись отключена: приглашение недействительно.");
  return { invitation, user };
}

export async function onboardingInvitationAccepter({ ctx, token, password }: { ctx: Ctx; token: string; password: string }): Promise<User> {
  if (password.length < passwordRules.min || password.length > passwordRules.max)
    throw errors.validationFailed([{ field: "password", message: `пароль должен содержать от ${passwordRules.min} до ${passwordRules.max} символов` }]);
  const { invitation, user } = await findInvitation(ctx, token, true);
  await setPassword(user, password);
  await invitation.update({ usedAt: new Date() }, { transaction: ctx.transaction });
  return user;
}
