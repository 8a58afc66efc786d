import { describe, expect, it } from "vitest";
import {
  checkBik,
  checkCorrespondentAccount,
  checkEmail,
  checkInn,
  checkKpp,
  checkOgrn,
  checkOktmo,
  checkPhone,
  checkSettlementAccount,
  partnerCardSchema,
} from "../../src/onboarding/requisites.ts";
import { validCard } from "./fixtures.ts";

// Published requisites of real organisations (ПАО Сбербанк, АО «Тинькофф Банк») are the known-valid values.
describe("ИНН", () => {
  it.each(["7707083893", "7710140679", "500100732259"])("accepts %s", (v) => expect(checkInn(v)).toBeNull());
  it.each([
    ["7707083894", "неверное контрольное число ИНН"],
    ["500100732258", "неверное контрольное число ИНН"],
    ["500100732249", "неверное контрольное число ИНН"],
    ["77070838", "ИНН должен содержать 10 цифр (организация) или 12 цифр (ИП)"],
    ["770708389A", "ИНН должен состоять только из цифр"],
  ])("rejects %s", (v, msg) => expect(checkInn(v)).toBe(msg));
});

describe("ОГРН / ОГРНИП", () => {
  it.each(["1027700132195", "1027739642281", "304500116000157"])("accepts %s", (v) => expect(checkOgrn(v)).toBeNull());
  it("rejects a wrong ОГРН check digit", () => expect(checkOgrn("1027700132196")).toBe("неверное контрольное число ОГРН"));
  it("rejects a wrong ОГРНИП check digit", () => expect(checkOgrn("304500116000158")).toBe("неверное контрольное число ОГРНИП"));
  it("rejects a wrong length", () => expect(checkOgrn("10277001321")).toMatch(/13 цифр/));
});

describe("КПП, БИК, ОКТМО", () => {
  it("КПП", () => {
    expect(checkKpp("773601001")).toBeNull();
    expect(checkKpp("7736AB001")).toBeNull();
    expect(checkKpp("77360100")).toMatch(/9 символов/);
    expect(checkKpp("7736ab001")).toMatch(/9 символов/);
  });
  it("БИК", () => {
    expect(checkBik("044525225")).toBeNull();
    expect(checkBik("04452522")).toBe("БИК должен содержать 9 цифр");
    expect(checkBik("144525225")).toMatch(/начинается с 04/);
  });
  it("ОКТМО", () => {
    expect(checkOktmo("87620000")).toBeNull();
    expect(checkOktmo("87620101001")).toBeNull();
    expect(checkOktmo("8762000")).toMatch(/8 или 11 цифр/);
  });
});

describe("bank accounts against the БИК", () => {
  it("correspondent account", () => {
    expect(checkCorrespondentAccount("30101810400000000225", "044525225")).toBeNull(); // Сбербанк
    expect(checkCorrespondentAccount("30101810145250000974", "044525974")).toBeNull(); // Тинькофф
    expect(checkCorrespondentAccount("30101810500000000225", "044525225")).toMatch(/контрольный ключ/);
    expect(checkCorrespondentAccount("30101810400000000225", "044525974")).toMatch(/совпадать с БИК/);
    expect(checkCorrespondentAccount("40702810400000000225", "044525225")).toMatch(/30101/);
  });
  it("settlement account", () => {
    expect(checkSettlementAccount("40702810530000000001", "044525225")).toBeNull();
    expect(checkSettlementAccount("40702810630000000001", "044525225")).toMatch(/не соответствует БИК/);
    // the same account is not valid at another bank
    expect(checkSettlementAccount("40702810530000000001", "044525974")).toMatch(/не соответствует БИК/);
    expect(checkSettlementAccount("4070281053000000000", "044525225")).toBe("расчётный счёт должен содержать 20 цифр");
  });
});

describe("contacts", () => {
  it("e-mail and phone", () => {
    expect(checkEmail("uk@pechora.ru")).toBeNull();
    expect(checkEmail("uk@pechora")).toMatch(/электронной почты/);
    expect(checkPhone("8 (82142) 7-12-34")).toBeNull();
    expect(checkPhone("12-34")).toMatch(/не распознан/);
  });
});

describe("the partner card", () => {
  it("accepts a valid card", () => expect(partnerCardSchema.safeParse(validCard()).success).toBe(true));
  it("names each failure next to its field, in Russian", () => {
    const r = partnerCardSchema.safeParse(validCard({ inn: "7707083894", settlementAccount: "40702810630000000001", oktmo: "123", email: "nope", kpp: undefined }));
    expect(r.success).toBe(false);
    const issues = Object.fromEntries(r.error!.issues.map((i) => [i.path.join("."), i.message]));
    expect(issues).toMatchObject({
      inn: "неверное контрольное число ИНН",
      settlementAccount: "расчётный счёт не соответствует БИК (неверный контрольный ключ)",
      oktmo: "ОКТМО должен содержать 8 или 11 цифр",
      email: "неверный адрес электронной почты",
      kpp: "у организации КПП обязателен",
    });
  });
  it("requires ОГРНИП for an individual entrepreneur", () => {
    const r = partnerCardSchema.safeParse(validCard({ inn: "500100732259", kpp: undefined, ogrn: "1027700132195", okpo: "0123456789" }));
    expect(r.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([["ogrn", "у ИП (ИНН из 12 цифр) указывается ОГРНИП из 15 цифр"]]);
  });
});
