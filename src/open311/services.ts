// Categories as GeoReport services. A category about a resource (water, heating, power…)
// asks one extra question — how far the fault reaches — published as a service attribute.
import { Category } from "../models/Category.ts";

export interface AttributeValue {
  key: string;
  name: string;
}
export interface AttributeDef {
  variable: true;
  code: string;
  datatype: "singlevaluelist";
  required: boolean;
  datatype_description: string;
  order: number;
  description: string;
  values: AttributeValue[];
}

const SCOPE: AttributeDef = {
  variable: true,
  code: "scope",
  datatype: "singlevaluelist",
  required: false,
  datatype_description: "Выберите один вариант",
  order: 1,
  description: "Где нет ресурса или неисправность?",
  values: [
    { key: "apartment", name: "Только в квартире" },
    { key: "riser", name: "По стояку или в подъезде" },
    { key: "building", name: "Во всём доме" },
    { key: "street", name: "На всей улице или в квартале" },
  ],
};
const DANGER: AttributeDef = {
  variable: true,
  code: "danger",
  datatype: "singlevaluelist",
  required: true,
  datatype_description: "Выберите один вариант",
  order: 2,
  description: "Есть угроза жизни, здоровью или затопления соседей?",
  values: [
    { key: "yes", name: "Да" },
    { key: "no", name: "Нет" },
  ],
};

export function attributesOf(c: Pick<Category, "resource" | "emergency">): AttributeDef[] {
  const list: AttributeDef[] = [];
  if (c.resource) list.push(SCOPE);
  if (c.emergency) list.push(DANGER);
  return list;
}

export async function activeServices(): Promise<Category[]> {
  return Category.findAll({ where: { active: true }, order: [["sortOrder", "ASC"], ["id", "ASC"]] });
}

export async function serviceByCode(code: string): Promise<Category | null> {
  return Category.findOne({ where: { code, active: true } });
}

export function presentService(c: Category) {
  return {
    service_code: c.code,
    service_name: c.name,
    description: c.emergency ? `${c.name}. Аварийная заявка: выезд аварийной службы в течение 30 минут.` : c.name,
    metadata: attributesOf(c).length > 0,
    type: "realtime",
    keywords: [c.groupName, c.resource].filter(Boolean).join(","),
    group: c.groupName,
  };
}

export function presentServiceDefinition(c: Category) {
  return { service_code: c.code, attributes: attributesOf(c) };
}

/** Checks submitted attribute values; returns the Russian lines to add to the description. */
export function describeAttributes(c: Category, given: Record<string, string>): { lines: string[]; errors: string[] } {
  const defs = attributesOf(c);
  const lines: string[] = [];
  const errors: string[] = [];
  for (const code of Object.keys(given)) if (!defs.some((d) => d.code === code)) errors.push(`attribute[${code}]: у услуги нет такого атрибута`);
  for (const d of defs) {
    const v = given[d.code];
    if (v === undefined || v === "") {
      if (d.required) errors.push(`attribute[${d.code}]: обязательный атрибут («${d.description}»)`);
      continue;
    }
    const value = d.values.find((x) => x.key === v);
    if (!value) errors.push(`attribute[${d.code}]: допустимые значения ${d.values.map((x) => x.key).join(", ")}`);
    else lines.push(`${d.description} — ${value.name}`);
  }
  return { lines, errors };
}
