// Valid requisites and building lists for onboarding tests. INNs are computed so each test gets its own.
import { checkInn } from "../../src/onboarding/requisites.ts";
import type { PartnerCard } from "../../src/onboarding/requisites.ts";

/** A random 10-digit ИНН with a correct check digit (prefix 11 = Республика Коми). */
export function randomInn(): string {
  for (;;) {
    const body = "11" + String(Math.floor(Math.random() * 1e7)).padStart(7, "0");
    for (let d = 0; d < 10; d++) if (!checkInn(body + d)) return body + d;
  }
}

export function validCard(over: Partial<Record<keyof PartnerCard, string | undefined>> = {}): Record<string, string> {
  const card: Record<string, string | undefined> = {
    fullName: "Общество с ограниченной ответственностью «Управляющая компания Тест»",
    shortName: "ООО «УК Тест»",
    directorName: "Иванов Иван Иванович",
    postalAddress: "169600, РК, г. Печора, ул. Ленина, д. 1",
    actualAddress: "169600, РК, г. Печора, ул. Ленина, д. 2",
    directorPhone: "8 (82142) 7-12-34",
    dispatchPhone: "+7 912 100-20-30",
    email: "uk-test@pechora.ru",
    ogrn: "1027700132195",
    registrationDate: "01.01.2000 г.",
    inn: "7707083893",
    kpp: "773601001",
    bankName: "ПАО Сбербанк",
    bik: "044525225",
    settlementAccount: "40702810530000000001",
    correspondentAccount: "30101810400000000225",
    okved: "68.32",
    okpo: "12345678",
    okopf: "12300",
    okfs: "16",
    okogu: "4210014",
    oktmo: "87620000",
    workingHours: "пн–чт 9:00–18:00; пт 9:00–17:00",
    chiefAccountantName: "Петрова Анна Сергеевна",
    chiefAccountantPhone: "8 (82142) 7-12-35",
    chiefEngineerName: "Сидоров Пётр Петрович",
    chiefEngineerPhone: "8 (82142) 7-12-36",
    ...over,
  };
  for (const k of Object.keys(card)) if (card[k] === undefined) delete card[k];
  return card as Record<string, string>;
}

export const HEADER = "№ п/п;Населенный пункт;Район города;Улица;Дом;Корпус;Квартира;Лицевой счет;Фамилия, имя, отчество*;Этаж;Подъезд";

/** CSV lines for `n` apartments in one new street; accounts unique per call. */
export function buildingCsv(street: string, n: number, accountPrefix: string, house = "1"): string {
  const lines = [HEADER];
  for (let i = 1; i <= n; i++) lines.push(`${i};г. Печора;;${street};${house};;${i};${accountPrefix}${String(i).padStart(5, "0")};Иванов И.И.;${((i - 1) % 9) + 1};1`);
  return lines.join("\r\n") + "\r\n";
}
