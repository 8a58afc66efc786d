import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryTypes } from "sequelize";
import { runCommand } from "../../src/context.ts";
import { onboardingBuildingsImporter } from "../../src/commands/onboardingBuildingsImporter.ts";
import { AppError } from "../../src/errors.ts";
import { readTable } from "../../src/onboarding/tableFile.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { actorOf, makeOrg, makeUser, makeBuilding, uid } from "../support/factories.ts";
import type { User } from "../../src/models/User.ts";
import type { Organisation } from "../../src/models/Organisation.ts";
import { buildingCsv, HEADER } from "./fixtures.ts";
import { makeZip } from "./zip.ts";

let db: TestDb;
let agency: User;
let uo: Organisation;
beforeAll(async () => {
  db = await setupTestDb();
  agency = await makeUser("agency", await makeOrg("agency"));
  uo = await makeOrg("management_company");
});
afterAll(() => db.close());

const importFile = (data: Buffer, fileName = "doma.csv", uoId = uo.id, by = agency) =>
  runCommand(actorOf(by), (ctx) => onboardingBuildingsImporter({ ctx, uoId, data, fileName }));
async function failure(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (err) => err,
  );
  if (!(e instanceof AppError)) throw new Error(`expected an AppError, got ${e}`);
  return e;
}
const countApartments = async (street: string) =>
  (await db.sequelize.query<{ n: number }>("SELECT count(*)::int AS n FROM apartments a JOIN buildings b ON b.id = a.building_id WHERE b.street = $1", { bind: [street], type: QueryTypes.SELECT }))[0]!.n;

describe("buildings and accounts import", () => {
  it("imports a correct UTF-8 CSV, and re-importing it changes nothing", async () => {
    const street = `ул. Импортная ${uid()}`;
    const csv = Buffer.from(buildingCsv(street, 12, `LS${uid()}`), "utf8");
    const first = await importFile(csv);
    expect(first.file).toEqual({ format: "csv", encoding: "utf-8", rows: 12 });
    expect(first.applied).toEqual({ buildingsCreated: 1, buildingsAssigned: 0, apartmentsCreated: 12, apartmentsUpdated: 0, unchanged: 0 });
    const again = await importFile(csv);
    expect(again.applied).toEqual({ buildingsCreated: 0, buildingsAssigned: 0, apartmentsCreated: 0, apartmentsUpdated: 0, unchanged: 12 });
    expect(await countApartments(street)).toBe(12);
  });

  it("reads a Windows-1251 CSV", async () => {
    const street = `ул. Печорская ${uid()}`;
    const text = buildingCsv(street, 3, `W${uid()}`).replace(/Иванов И.И./g, "Ёлкин Пётр");
    const res = await importFile(iconv.encode(text, "win1251"));
    expect(res.file.encoding).toBe("windows-1251");
    expect(res.applied!.apartmentsCreated).toBe(3);
    const owners = await db.sequelize.query<{ owner_name: string }>(
      "SELECT a.owner_name FROM apartments a JOIN buildings b ON b.id = a.building_id WHERE b.street = $1",
      { bind: [street], type: QueryTypes.SELECT },
    );
    expect(owners.map((o) => o.owner_name)).toEqual(["Ёлкин Пётр", "Ёлкин Пётр", "Ёлкин Пётр"]);
  });

  it("reports exactly the wrong rows and applies nothing", async () => {
    const street = `ул. Ошибочная ${uid()}`;
    const acc = `E${uid()}`;
    const lines = buildingCsv(street, 6, acc).trimEnd().split("\r\n");
    lines[2] = `2;г. Печора;;${street};;;2;${acc}00002;;1;1`; // line 3: no house
    lines[4] = `4;г. Печора;;${street};1;;4;${acc}00004;;этаж;0`; // line 5: floor and entrance
    lines[6] = `6;г. Печора;;${street};1;;3;${acc}00006;;1;1`; // line 7: apartment 3 again
    const e = await failure(importFile(Buffer.from(lines.join("\n"))));
    expect(e.id).toBe("import_invalid");
    expect(e.status).toBe(422);
    expect(e.details).toEqual({
      valid: false,
      rows: 6,
      errors: [
        { row: 3, field: "house", column: "Дом", message: "не заполнено" },
        { row: 5, field: "floor", column: "Этаж", message: "целое число от -5 до 200" },
        { row: 5, field: "entrance", column: "Подъезд", message: "целое число от 1 до 100" },
        { row: 7, field: "apartment", column: "Квартира", message: "квартира повторяется (уже в строке 4)" },
      ],
    });
    expect(await countApartments(street)).toBe(0);
  });

  it("checks 10,000 rows and names each bad one", async () => {
    const street = `ул. Длинная ${uid()}`;
    const acc = `L${uid()}`;
    const lines = buildingCsv(street, 10_000, acc).trimEnd().split("\r\n");
    for (const i of [17, 5000, 9999]) lines[i] = lines[i]!.replace(`${acc}${String(i).padStart(5, "0")}`, "");
    const e = await failure(importFile(Buffer.from(lines.join("\r\n"))));
    expect((e.details as { errors: Array<{ row: number; field: string }> }).errors).toEqual([
      expect.objectContaining({ row: 18, field: "personalAccount", message: "не заполнено" }),
      expect.objectContaining({ row: 5001, field: "personalAccount" }),
      expect.objectContaining({ row: 10000, field: "personalAccount" }),
    ]);
    expect(await countApartments(street)).toBe(0);
  });

  it("reports buildings of another УО and accounts held elsewhere", async () => {
    const other = await makeOrg("management_company", `УК Соседняя ${uid()}`);
    const { building, apartments } = await makeBuilding(other, 1);
    const street = `ул. Новая ${uid()}`;
    const csv = [
      HEADER,
      `1;${building.settlement};;${building.street};${building.house};;5;X${uid()};;1;1`,
      `2;г. Печора;;${street};1;;1;${apartments[0]!.personalAccount};;1;1`,
    ].join("\n");
    const e = await failure(importFile(Buffer.from(csv)));
    expect((e.details as { errors: unknown[] }).errors).toEqual([
      { row: 2, field: "house", column: "Дом", message: `дом обслуживается другой управляющей организацией («${other.shortName}»)` },
      { row: 3, field: "personalAccount", column: "Лицевой счет", message: "лицевой счёт уже закреплён за другой квартирой" },
    ]);
    expect(await countApartments(street)).toBe(0);
  });

  it("names missing columns", async () => {
    const e = await failure(importFile(Buffer.from("Населенный пункт;Улица;Квартира\nг. Печора;ул. Х;1\n")));
    expect(e.id).toBe("missing_columns");
    expect(e.message).toBe("В таблице нет обязательных столбцов: «Дом», «Лицевой счет».");
  });

  it("imports an XLSX", async () => {
    const street = `ул. Экселевская ${uid()}`;
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Дома");
    ws.addRow(HEADER.split(";"));
    ws.addRow([1, "г. Печора", null, street, 7, "А", 1, `X${uid()}`, null, 1, 1]);
    ws.addRow([2, "г. Печора", null, street, 7, "А", 2, `X${uid()}`, "Петров", 1, 1]);
    const res = await importFile(Buffer.from(await wb.xlsx.writeBuffer()), "doma.xlsx");
    expect(res.file).toEqual({ format: "xlsx", encoding: null, rows: 2 });
    expect(res.applied!.apartmentsCreated).toBe(2);
  });

  it("refuses a zip bomb and files that are not XLSX, before unpacking", async () => {
    const bomb = makeZip([
      { name: "[Content_Types].xml", data: Buffer.from("<Types/>") },
      { name: "xl/workbook.xml", data: Buffer.from("<workbook/>") },
      { name: "xl/worksheets/sheet1.xml", data: Buffer.alloc(120 * 1024 * 1024), skipCrc: true },
    ]);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect((await failure(importFile(bomb, "doma.xlsx"))).id).toBe("xlsx_too_large");
    const liar = makeZip([
      { name: "[Content_Types].xml", data: Buffer.from("<Types/>") },
      { name: "xl/workbook.xml", data: Buffer.from("<workbook/>") },
      { name: "xl/worksheets/sheet1.xml", data: Buffer.alloc(120 * 1024 * 1024), skipCrc: true, declaredSize: 1000 },
    ]);
    expect((await failure(importFile(liar, "doma.xlsx"))).id).toBe("xlsx_too_large");
    const plainZip = makeZip([{ name: "readme.txt", data: Buffer.from("hello") }]);
    expect((await failure(importFile(plainZip, "doma.xlsx"))).id).toBe("not_xlsx");
    expect((await failure(importFile(Buffer.from("это не книга Excel"), "doma.xlsx"))).id).toBe("not_xlsx");
    expect((await failure(importFile(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), "photo.csv"))).id).toBe("not_csv");
  });

  it("is for the agency only", async () => {
    const uoUser = await makeUser("uo", uo);
    expect((await failure(importFile(Buffer.from(buildingCsv("ул. Х", 1, "Z")), "a.csv", uo.id, uoUser))).id).toBe("forbidden");
  });

  it("readTable detects encodings without a file name", async () => {
    const t = await readTable(iconv.encode("Улица;Дом\nЛенина;1\n", "win1251"));
    expect(t.rows).toEqual([["Улица", "Дом"], ["Ленина", "1"]]);
  });
});
