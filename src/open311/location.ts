// Finds the building a GeoReport request is about: by address_id (our building id), by
// lat/long (the nearest registered building within MAX_DISTANCE_M), or by address_string
// (street and house matched against the register).
import { Op, QueryTypes, type Transaction } from "sequelize";
import { sequelize } from "../db/sequelize.ts";
import { Building } from "../models/Building.ts";
import { badRequest } from "./format.ts";

export const MAX_DISTANCE_M = 150;

export interface LocationInput {
  address_id?: number;
  lat?: number;
  long?: number;
  address_string?: string;
}

const STOP = new Set(["г", "гор", "город", "ул", "улица", "пр", "пр-т", "проспект", "пер", "переулок", "д", "дом", "корп", "корпус", "к",
  "кв", "квартира", "пгт", "пос", "п", "с", "пл", "площадь", "бульвар", "б-р", "ш", "шоссе", "стр", "строение", "россия", "республика", "коми"]);

/** " печора ленина 5 " — lower case, ё→е, words only, address abbreviations dropped. */
const norm = (s: string) =>
  ` ${s
    .toLowerCase()
    .replace(/ё/g, "е")
    .split(/[^0-9a-zа-я]+/)
    .filter((w) => w && !STOP.has(w))
    .join(" ")} `;

async function byCoordinates(lat: number, long: number, transaction?: Transaction): Promise<Building | null> {
  const rows = await sequelize().query<{ id: number; dist: number }>(
    `SELECT id, 6371000 * 2 * asin(sqrt(power(sin(radians(latitude - :lat) / 2), 2)
              + cos(radians(:lat)) * cos(radians(latitude)) * power(sin(radians(longitude - :long) / 2), 2))) AS dist
       FROM buildings
      WHERE latitude BETWEEN :lat - 0.01 AND :lat + 0.01 AND longitude BETWEEN :long - 0.03 AND :long + 0.03
      ORDER BY dist LIMIT 1`,
    { type: QueryTypes.SELECT, replacements: { lat, long }, transaction },
  );
  const hit = rows[0];
  if (!hit || hit.dist > MAX_DISTANCE_M) return null;
  return Building.findByPk(hit.id, { transaction });
}

async function byAddress(text: string, transaction?: Transaction): Promise<Building | null> {
  const n = norm(text);
  const houses = [...new Set(n.trim().split(" ").filter((w) => /\d/.test(w)))].slice(0, 10);
  if (!houses.length) return null;
  const candidates = await Building.findAll({
    where: sequelize().where(sequelize().fn("lower", sequelize().col("house")), { [Op.in]: houses }),
    limit: 500,
    transaction,
  });
  const matches = candidates.filter((b) => {
    const street = norm(b.street).trim();
    const at = n.indexOf(` ${street} `);
    if (!street || at < 0) return false;
    const rest = n.slice(at + street.length + 1);
    const house = norm(b.house).trim();
    const part = b.buildingPart ? norm(b.buildingPart).trim() : "";
    return rest.startsWith(` ${house} `) && (!part || rest.startsWith(` ${house} ${part} `) || rest.includes(` ${house}${part} `));
  });
  // The most specific match wins: the settlement named, then a building part named.
  const score = (b: Building) => (n.includes(norm(b.settlement)) ? 2 : 0) + (b.buildingPart ? 1 : 0);
  matches.sort((a, b) => score(b) - score(a));
  return matches[0] ?? null;
}

export async function locateBuilding(inp: LocationInput, transaction?: Transaction): Promise<Building> {
  if (inp.address_id !== undefined) {
    const b = await Building.findByPk(inp.address_id, { transaction });
    if (!b) throw badRequest("address_id: дом с таким идентификатором не найден.");
    return b;
  }
  if (inp.lat !== undefined || inp.long !== undefined) {
    if (inp.lat === undefined || inp.long === undefined) throw badRequest("lat и long передаются вместе.");
    const b = await byCoordinates(inp.lat, inp.long, transaction);
    if (!b) throw badRequest(`В радиусе ${MAX_DISTANCE_M} м от точки нет дома из реестра. Укажите address_string или address_id.`);
    return b;
  }
  if (inp.address_string) {
    const b = await byAddress(inp.address_string, transaction);
    if (!b) throw badRequest("address_string: адрес не найден в реестре домов. Укажите улицу и номер дома.");
    return b;
  }
  throw badRequest("Укажите место: lat и long, address_string или address_id.");
}
