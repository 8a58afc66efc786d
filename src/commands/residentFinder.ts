// Finds the resident by phone (E.164) or registers one, for requests that come without a
// messenger account (the public web form). One resident is one person across channels.
import type { Ctx } from "../context.ts";
import { errors } from "../errors.ts";
import { normalizePhone } from "../lib/phone.ts";
import { Apartment } from "../models/Building.ts";
import { Resident, ResidentApartment } from "../models/Resident.ts";

export interface ResidentLookup {
  phone: string;
  fullName?: string | null;
  /** The apartment the request is about; bound to the resident if not yet. */
  apartmentId?: number | null;
  consentVersion: string;
  /** When consent was given; an already known resident's consent is renewed with it. */
  consentAt?: Date;
}

export async function residentFinder({ ctx, input }: { ctx: Ctx; input: ResidentLookup }): Promise<{ resident: Resident; created: boolean }> {
  if (ctx.actor.kind !== "system") throw errors.forbidden();
  const t = ctx.transaction;
  const phone = normalizePhone(input.phone);
  if (!phone) throw errors.validationFailed([{ field: "phone", message: "номер телефона не распознан" }]);
  let resident = await Resident.findOne({ where: { phone }, order: [["id", "ASC"]], transaction: t, lock: t.LOCK.UPDATE });
  const created = !resident;
  if (resident?.anonymisedAt) throw errors.conflict("resident_anonymised", "Этот номер нельзя использовать. Позвоните в Центр обработки заявок.");
  if (!resident) {
    resident = await Resident.create(
      { fullName: input.fullName?.trim().slice(0, 200) || null, phone, email: null, consentAt: input.consentAt ?? new Date(), consentVersion: input.consentVersion, anonymisedAt: null },
      { transaction: t },
    );
  } else {
    const patch: Partial<Pick<Resident, "fullName" | "consentAt" | "consentVersion">> = {};
    if (!resident.fullName && input.fullName?.trim()) patch.fullName = input.fullName.trim().slice(0, 200);
    if (input.consentAt) Object.assign(patch, { consentAt: input.consentAt, consentVersion: input.consentVersion });
    if (Object.keys(patch).length) await resident.update(patch, { transaction: t });
  }
  if (input.apartmentId) {
    const apt = await Apartment.findByPk(input.apartmentId, { transaction: t });
    if (!apt) throw errors.notFound("apartment");
    const link = await ResidentApartment.findOne({ where: { residentId: resident.id, apartmentId: apt.id }, transaction: t });
    if (!link) await ResidentApartment.create({ residentId: resident.id, apartmentId: apt.id }, { transaction: t });
  }
  return { resident, created };
}
