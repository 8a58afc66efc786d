// Human labels for the keys a breakdown produces (organisation names, categories, addresses).
// Buildings are labelled by address without apartments: a building is not personal data.
import { DateTime } from "luxon";
import { Op } from "sequelize";
import { config } from "../config.ts";
import { Building } from "../models/Building.ts";
import { Category } from "../models/Category.ts";
import { Organisation } from "../models/Organisation.ts";
import { addressOf } from "../presenters/ticket.ts";
import type { Breakdown } from "./period.ts";

export const CHANNEL_LABELS: Record<string, string> = {
  phone: "Телефон",
  telegram: "Telegram",
  vk: "ВКонтакте",
  web: "Сайт",
  panel: "Панель",
  open311: "Open311",
  api: "API",
};

const NONE_LABELS: Partial<Record<Breakdown, string>> = {
  uo: "Без УО (не направлена)",
  executor: "Исполнитель не назначен",
  district: "Район не указан",
  building: "Адрес вне справочника",
};

const ids = (keys: string[]) => keys.filter((k) => k !== "").map(Number);

export async function labelsFor(by: Breakdown, keys: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const none = NONE_LABELS[by];
  if (none) out.set("", none);
  switch (by) {
    case "total":
      out.set("", "Итого");
      break;
    case "uo":
    case "executor":
      for (const o of await Organisation.findAll({ where: { id: { [Op.in]: ids(keys) } }, attributes: ["id", "shortName"] }))
        out.set(String(o.id), o.shortName);
      break;
    case "category":
      for (const c of await Category.findAll({ where: { id: { [Op.in]: ids(keys) } }, attributes: ["id", "name"] })) out.set(String(c.id), c.name);
      break;
    case "building":
      // plain rows: a district has thousands of buildings, model instances would cost more than the report
      for (const b of await Building.findAll({ where: { id: { [Op.in]: ids(keys) } }, attributes: ["id", "settlement", "street", "house", "buildingPart"], raw: true }))
        out.set(String(b.id), addressOf(b));
      break;
    case "district":
      for (const k of keys) if (k) out.set(k, k);
      break;
    case "channel":
      for (const k of keys) out.set(k, CHANNEL_LABELS[k] ?? k);
      break;
    case "day":
    case "week":
    case "month": {
      const zone = config().district.timezone;
      // keys are ISO dates: days and weeks are relabelled as text (hundreds of keys), months through luxon
      const ru = (k: string) => `${k.slice(8, 10)}.${k.slice(5, 7)}.${k.slice(0, 4)}`;
      for (const k of keys) {
        if (by === "month") out.set(k, DateTime.fromISO(k, { zone }).setLocale("ru").toFormat("LLLL yyyy"));
        else out.set(k, by === "week" ? `неделя с ${ru(k)}` : ru(k));
      }
      break;
    }
  }
  return out;
}
