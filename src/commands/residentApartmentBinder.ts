// Binds a resident to an apartment: by personal account number or by an apartment chosen
// through street → house → apartment. A resident may have several addresses.
import type { Ctx } from "../context.ts";
import { AppError, errors } from "../errors.ts";
import { Apartment, Building } from "../models/Building.ts";
import { ResidentApartment, type Resident } from "../models/Resident.ts";

export type ApartmentRef = { personalAccount: string } | { buildingId: number; number: string };

export const MAX_ADDRESSES = 5;

async function findApartment(ctx: Ctx, ref: ApartmentRef): Promise<Apartment | null> {
  const t = ctx.transaction;
  if ("personalAccount" in ref) {
    const acc = ref.personalAccount.replace(/[\s-]/g, "");
    if (!/^\d{4,20}$|^[0-9a-zA-Z]{4,20}$/.test(acc)) return null;
    return Apartment.findOne({ where: { personalAccount: acc }, include: [{ model: Building, as: "building" }], transaction: t });
  }
  const number = ref.number.trim().replace(/^кв\.?\s*/i, "");
  if (!number || number.length > 10) return null;
  const apartments = await Apartment.findAll({ where: { buildingId: ref.buildingId }, include: [{ model: Building, as: "building" }], transaction: t });
  return apartments.find((a) => a.number.toLowerCase() === number.toLowerCase()) ?? null;
}

export async function residentApartmentBinder({ ctx, resident, ref }: { ctx: Ctx; resident: Resident; ref: ApartmentRef }): Promise<Apartment> {
  const a = ctx.actor;
  if (!(a.kind === "system" || (a.kind === "resident" && a.resident.id === resident.id))) throw errors.forbidden();
  const t = ctx.transaction;
  const apartment = await findApartment(ctx, ref);
  if (!apartment)
    throw "personalAccount" in ref
      ? new AppError(404, "personal_account_not_found", "Лицевой счёт не найден. Проверьте номер в квитанции или найдите адрес по улице и дому.")
      : errors.notFound("apartment");
  const links = await ResidentApartment.findAll({ where: { residentId: resident.id }, transaction: t, lock: t.LOCK.UPDATE });
  if (links.some((l) => l.apartmentId === apartment.id)) throw errors.conflict("address_already_bound", "Этот адрес уже добавлен.");
  if (links.length >= MAX_ADDRESSES) throw errors.conflict("too_many_addresses", `Можно добавить не более ${MAX_ADDRESSES} адресов.`);
  await ResidentApartment.create({ residentId: resident.id, apartmentId: apartment.id }, { transaction: t });
  return apartment;
}
