// The partner card ↔ the organisation row: a few requisites have columns, the rest live in `requisites`.
import type { Organisation } from "../models/Organisation.ts";
import { normalizePhone } from "../lib/phone.ts";
import type { PartnerCard } from "./requisites.ts";

export function organisationFields(card: PartnerCard) {
  return {
    name: card.fullName,
    shortName: card.shortName,
    inn: card.inn,
    kpp: card.kpp ?? null,
    ogrn: card.ogrn,
    email: card.email.toLowerCase(),
    phone: normalizePhone(card.directorPhone) ?? card.directorPhone,
    dispatchPhone: normalizePhone(card.dispatchPhone) ?? card.dispatchPhone,
    requisites: { ...card } as Record<string, unknown>,
  };
}

/** The card as last approved (kept whole in requisites), with the columns winning where they differ. */
export function cardOf(org: Organisation): Partial<PartnerCard> {
  const r = (org.requisites ?? {}) as Partial<PartnerCard>;
  return { ...r, fullName: org.name, shortName: org.shortName, inn: org.inn ?? r.inn, kpp: org.kpp ?? r.kpp, ogrn: org.ogrn ?? r.ogrn, email: org.email ?? r.email };
}

const COLUMN_OF: Partial<Record<keyof PartnerCard, "name" | "shortName" | "inn" | "kpp" | "ogrn" | "email" | "phone" | "dispatchPhone">> = {
  fullName: "name",
  shortName: "shortName",
  inn: "inn",
  kpp: "kpp",
  ogrn: "ogrn",
  email: "email",
  directorPhone: "phone",
  dispatchPhone: "dispatchPhone",
};

/** The organisation update a partial card makes: mapped columns plus the card kept in requisites. */
export function organisationPatch(org: Organisation, changes: Partial<PartnerCard>) {
  const cols: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(changes) as Array<[keyof PartnerCard, string]>) {
    const col = COLUMN_OF[k];
    if (!col) continue;
    cols[col] = col === "phone" || col === "dispatchPhone" ? (normalizePhone(v) ?? v) : col === "email" ? v.toLowerCase() : v;
  }
  return { ...cols, requisites: { ...(org.requisites ?? {}), ...changes } };
}
