// Consent to personal data processing: who, when, which text, through which channel.
// Bots call it with the resident as actor; operators record a consent given by phone.
import type { Ctx } from "../context.ts";
import { errors } from "../errors.ts";
import { ConsentText, ResidentConsent } from "../models/PersonalData.ts";
import { Resident } from "../models/Resident.ts";
import { authorize } from "../policies/index.ts";

export async function personalDataConsentRecorder({ ctx, residentId, version, given = true, channel }: { ctx: Ctx; residentId: number; version: string; given?: boolean; channel: string }) {
  const a = ctx.actor;
  if (!(a.kind === "system" || (a.kind === "resident" && a.resident.id === residentId))) authorize(a, "personalData:consent");
  const t = ctx.transaction;
  const text = await ConsentText.findByPk(version, { transaction: t });
  if (!text) throw errors.validationFailed([{ field: "version", message: "нет текста согласия с такой версией" }]);
  const r = await Resident.findByPk(residentId, { transaction: t, lock: t.LOCK.UPDATE });
  if (!r) throw errors.notFound("resident");
  if (r.anonymisedAt) throw errors.conflict("resident_anonymised", "Данные жителя обезличены: согласие записать нельзя.");
  const row = await ResidentConsent.create({ residentId, version, given, channel, recordedByUserId: a.kind === "user" ? a.user.id : null }, { transaction: t });
  await r.update(given ? { consentAt: row.createdAt, consentVersion: version } : { consentAt: null, consentVersion: null }, { transaction: t });
  return row;
}
