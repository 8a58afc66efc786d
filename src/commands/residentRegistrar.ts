// Registers a messenger user as a resident: consent (date + text version) and phone.
// One resident is one person across Telegram, VK and phone calls: matched by the E.164 phone.
import type { Ctx } from "../context.ts";
import { errors } from "../errors.ts";
import { normalizePhone } from "../lib/phone.ts";
import { MessengerIdentity, type Resident, type MessengerChannel } from "../models/Resident.ts";
import { residentFinder } from "./residentFinder.ts";

export interface ResidentRegistration {
  channel: MessengerChannel;
  externalId: string;
  username?: string | null;
  phone: string;
  consentAt: Date;
  consentVersion: string;
  fullName?: string | null;
}

export interface RegistrationResult {
  resident: Resident;
  /** true when a resident with this phone was already known (another messenger, a phone call). */
  matched: boolean;
}

export async function residentRegistrar({ ctx, input }: { ctx: Ctx; input: ResidentRegistration }): Promise<RegistrationResult> {
  if (ctx.actor.kind !== "system") throw errors.forbidden();
  const t = ctx.transaction;
  if (!normalizePhone(input.phone)) throw errors.validationFailed([{ field: "phone", message: "номер телефона не распознан" }]);
  const existingIdentity = await MessengerIdentity.findOne({
    where: { channel: input.channel, externalId: input.externalId },
    transaction: t,
    lock: t.LOCK.UPDATE,
  });
  if (existingIdentity?.residentId) throw errors.conflict("already_registered", "Вы уже зарегистрированы.");
  if (existingIdentity?.userId) throw errors.conflict("staff_identity", "Этот аккаунт привязан к сотруднику.");

  const { resident, created } = await residentFinder({
    ctx,
    input: { phone: input.phone, fullName: input.fullName, consentAt: input.consentAt, consentVersion: input.consentVersion },
  });
  const matched = !created;
  if (existingIdentity) await existingIdentity.update({ residentId: resident.id, username: input.username ?? null, blockedAt: null }, { transaction: t });
  else
    await MessengerIdentity.create(
      { channel: input.channel, externalId: input.externalId, residentId: resident.id, userId: null, username: input.username ?? null, blockedAt: null },
      { transaction: t },
    );
  return { resident, matched };
}
