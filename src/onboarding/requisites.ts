// Requisites of a Russian organisation, checked for real: check digits of ИНН, ОГРН/ОГРНИП and
// bank accounts (against the БИК), formats of КПП, БИК, ОКТМО and the other codes.
// Each check returns null when the value is fine, or a Russian message naming what is wrong.
import { z } from "zod";
import { normalizePhone } from "../lib/phone.ts";

const digits = (s: string) => [...s].map(Number);
const weighted = (d: number[], w: number[]) => w.reduce((sum, wi, i) => sum + wi * d[i]!, 0);

export function checkInn(v: string): string | null {
  if (!/^\d+$/.test(v)) return "ИНН должен состоять только из цифр";
  if (v.length !== 10 && v.length !== 12) return "ИНН должен содержать 10 цифр (организация) или 12 цифр (ИП)";
  const d = digits(v);
  if (v.length === 10) {
    const c = (weighted(d, [2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10;
    return c === d[9] ? null : "неверное контрольное число ИНН";
  }
  const c11 = (weighted(d, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10;
  const c12 = (weighted(d, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10;
  return c11 === d[10] && c12 === d[11] ? null : "неверное контрольное число ИНН";
}

/** ОГРН (13 digits, legal entity) or ОГРНИП (15 digits, individual entrepreneur). */
export function checkOgrn(v: string): string | null {
  if (!/^\d+$/.test(v)) return "ОГРН должен состоять только из цифр";
  if (v.length === 13) {
    const c = Number((BigInt(v.slice(0, 12)) % 11n) % 10n);
    return c === Number(v[12]) ? null : "неверное контрольное число ОГРН";
  }
  if (v.length === 15) {
    const c = Number((BigInt(v.slice(0, 14)) % 13n) % 10n);
    return c === Number(v[14]) ? null : "неверное контрольное число ОГРНИП";
  }
  return "ОГРН должен содержать 13 цифр (ОГРНИП — 15 цифр)";
}

export function checkKpp(v: string): string | null {
  return /^\d{4}[\dA-Z]{2}\d{3}$/.test(v) ? null : "КПП: 9 символов — 4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры";
}

export function checkBik(v: string): string | null {
  if (!/^\d{9}$/.test(v)) return "БИК должен содержать 9 цифр";
  return v.startsWith("04") ? null : "БИК банка в России начинается с 04";
}

const accountKeyOk = (s: string) => weighted(digits(s), [...s].map((_, i) => [7, 1, 3][i % 3]!)) % 10 === 0;

/** Settlement account (расчётный счёт): 20 digits, control key checked with the last 3 digits of the БИК. */
export function checkSettlementAccount(v: string, bik: string | null | undefined): string | null {
  if (!/^\d{20}$/.test(v)) return "расчётный счёт должен содержать 20 цифр";
  if (!bik || checkBik(bik)) return "нельзя проверить расчётный счёт без верного БИК";
  return accountKeyOk(bik.slice(-3) + v) ? null : "расчётный счёт не соответствует БИК (неверный контрольный ключ)";
}

/** Correspondent account: 20 digits starting 30101, key checked with "0" + digits 5–6 of the БИК. */
export function checkCorrespondentAccount(v: string, bik: string | null | undefined): string | null {
  if (!/^\d{20}$/.test(v)) return "корреспондентский счёт должен содержать 20 цифр";
  if (!v.startsWith("30101")) return "корреспондентский счёт должен начинаться с 30101";
  if (!bik || checkBik(bik)) return "нельзя проверить корреспондентский счёт без верного БИК";
  if (v.slice(-3) !== bik.slice(-3)) return "последние три цифры корреспондентского счёта должны совпадать с БИК";
  return accountKeyOk("0" + bik.slice(4, 6) + v) ? null : "корреспондентский счёт не соответствует БИК (неверный контрольный ключ)";
}

export function checkOktmo(v: string): string | null {
  return /^(\d{8}|\d{11})$/.test(v) ? null : "ОКТМО должен содержать 8 или 11 цифр";
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
export function checkEmail(v: string): string | null {
  return EMAIL.test(v) && v.length <= 254 ? null : "неверный адрес электронной почты";
}

export function checkPhone(v: string): string | null {
  return normalizePhone(v) ? null : "номер телефона не распознан (пример: +7 82142 12345)";
}

const fmt = (re: RegExp, message: string) => (v: string) => (re.test(v) ? null : message);
export const checkOkved = fmt(/^\d{2}(\.\d{1,2}){0,2}$/, "ОКВЭД в виде 00, 00.0, 00.00 или 00.00.00");
export const checkOkpo = fmt(/^(\d{8}|\d{10})$/, "ОКПО должен содержать 8 цифр (ИП — 10 цифр)");
export const checkOkopf = fmt(/^\d{5}$/, "ОКОПФ должен содержать 5 цифр");
export const checkOkfs = fmt(/^\d{1,2}$/, "ОКФС: 1–2 цифры");
export const checkOkogu = fmt(/^\d{7}$/, "ОКОГУ должен содержать 7 цифр");

/** 01.01.2000, 01.01.2000 г. or 2000-01-01 → 2000-01-01; null when not a real past date. */
export function parseRegistrationDate(v: string): string | null {
  const s = v.trim().replace(/\s*г\.?$/, "");
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(s) ?? /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = s.includes("-") ? [m[1], m[2], m[3]] : [m[3], m[2], m[1]];
  const iso = `${y}-${mo}-${d}`;
  const dt = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(dt.getTime()) || dt.toISOString().slice(0, 10) !== iso || dt > new Date() || Number(y) < 1990) return null;
  return iso;
}

// ---- the partner card (Appendix 2, form «Карта партнера») ----

const text = (max = 300) => z.string().trim().min(1, "заполните поле").max(max, `не длиннее ${max} символов`);
const code = () => z.string().trim().transform((s) => s.replace(/\s+/g, "")).pipe(z.string().min(1, "заполните поле"));

export const partnerCardShape = {
  fullName: text(500),
  shortName: text(200),
  directorName: text(200),
  postalAddress: text(500),
  actualAddress: text(500),
  directorPhone: text(50),
  dispatchPhone: text(50),
  email: text(254),
  ogrn: code(),
  registrationDate: text(20),
  inn: code(),
  kpp: code().optional(),
  bankName: text(300),
  bik: code(),
  settlementAccount: code(),
  correspondentAccount: code(),
  okved: code(),
  okpo: code(),
  okopf: code(),
  okfs: code(),
  okogu: code(),
  oktmo: code(),
  workingHours: text(300),
  chiefAccountantName: text(200),
  chiefAccountantPhone: text(50),
  chiefEngineerName: text(200),
  chiefEngineerPhone: text(50),
};

export type PartnerCard = { [K in keyof typeof partnerCardShape]: z.infer<(typeof partnerCardShape)[K]> };

/** Cross-field checks of a parsed card: every failure named next to its field. */
export function cardIssues(c: Partial<PartnerCard>): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  const check = (field: keyof PartnerCard, fn: (v: string) => string | null) => {
    const v = c[field];
    if (typeof v === "string" && v !== "") {
      const m = fn(v);
      if (m) out.push({ field, message: m });
    }
  };
  check("inn", checkInn);
  check("ogrn", checkOgrn);
  check("kpp", checkKpp);
  check("bik", checkBik);
  check("settlementAccount", (v) => checkSettlementAccount(v, c.bik));
  check("correspondentAccount", (v) => checkCorrespondentAccount(v, c.bik));
  check("okved", checkOkved);
  check("okpo", checkOkpo);
  check("okopf", checkOkopf);
  check("okfs", checkOkfs);
  check("okogu", checkOkogu);
  check("oktmo", checkOktmo);
  check("email", checkEmail);
  for (const f of ["directorPhone", "dispatchPhone", "chiefAccountantPhone", "chiefEngineerPhone"] as const) check(f, checkPhone);
  check("registrationDate", (v) => (parseRegistrationDate(v) ? null : "дата регистрации в виде ДД.ММ.ГГГГ, не позже сегодняшней"));
  const inn = c.inn ?? "";
  const ogrn = c.ogrn ?? "";
  if (inn.length === 10 && ogrn.length === 15) out.push({ field: "ogrn", message: "у организации (ИНН из 10 цифр) ОГРН содержит 13 цифр" });
  if (inn.length === 12 && ogrn.length === 13) out.push({ field: "ogrn", message: "у ИП (ИНН из 12 цифр) указывается ОГРНИП из 15 цифр" });
  if (inn.length === 10 && !c.kpp) out.push({ field: "kpp", message: "у организации КПП обязателен" });
  return out;
}

export const partnerCardSchema = z.object(partnerCardShape).strict().superRefine((c, ctx) => {
  for (const i of cardIssues(c)) ctx.addIssue({ code: "custom", path: [i.field], message: i.message });
});

/** A partial card (a change request) is checked against the card it would produce. */
export const partnerCardPatchSchema = z.object(partnerCardShape).partial().strict();
