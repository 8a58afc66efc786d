// Read-only address search for residents choosing their apartment: street → house → apartment.
// Only buildings registered in the district are found; anything else is "outside the district".
import { Op } from "sequelize";
import { sequelize } from "../db/sequelize.ts";
import { QueryTypes } from "sequelize";
import type { Ctx } from "../context.ts";
import { Apartment, Building } from "../models/Building.ts";
import { ResidentApartment } from "../models/Resident.ts";

export interface StreetHit {
  settlement: string;
  street: string;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Streets whose name contains the query (case-insensitive, "ё" = "е"), at most `limit`. */
export async function findStreets(ctx: Ctx, query: string, limit = 20): Promise<StreetHit[]> {
  const q = query.trim().toLowerCase().replace(/ё/g, "е").replace(/^(ул\.?|улица)\s+/, "");
  if (q.length < 2) return [];
  return sequelize().query<StreetHit>(
    `SELECT DISTINCT settlement, street FROM buildings
      WHERE replace(lower(street), 'ё', 'е') LIKE $1 ESCAPE '\\'
      ORDER BY settlement, street LIMIT $2`,
    { bind: [`%${escapeLike(q)}%`, limit], type: QueryTypes.SELECT, transaction: ctx.transaction },
  );
}

/** Houses of one street, in natural order (2 before 10). */
export async function housesOf(ctx: Ctx, hit: StreetHit): Promise<Building[]> {
  const list = await Building.findAll({ where: { settlement: hit.settlement, street: hit.street }, transaction: ctx.transaction });
  return list.sort((a, b) => a.house.localeCompare(b.house, "ru", { numeric: true }) || a.buildingPart.localeCompare(b.buildingPart, "ru"));
}

/** The resident's bound apartments with their buildings. */
export async function residentApartments(ctx: Ctx, residentId: number): Promise<Apartment[]> {
  const links = await ResidentApartment.findAll({ where: { residentId }, order: [["createdAt", "ASC"]], transaction: ctx.transaction });
  if (!links.length) return [];
  const apts = await Apartment.findAll({
    where: { id: { [Op.in]: links.map((l) => l.apartmentId) } },
    include: [{ model: Building, as: "building" }],
    transaction: ctx.transaction,
  });
  return links.map((l) => apts.find((a) => a.id === l.apartmentId)!).filter(Boolean);
}
