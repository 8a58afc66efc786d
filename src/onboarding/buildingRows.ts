// The form «Список обслуживаемых многоквартирных домов и лицевых счетов» (Appendix 2, plus the
// house number the form forgets): headers mapped to fields, every row checked, conflicts with the
// database reported, and an idempotent all-or-nothing apply.
import { QueryTypes, type Transaction } from "sequelize";
import { sequelize } from "../db/sequelize.ts";
import { AppError } from "../errors.ts";

export const BUILDING_COLUMNS = {
  settlement: "Населенный пункт",
  cityDistrict: "Район города",
  street: "Улица",
  house: "Дом",
  buildingPart: "Корпус",
  apartment: "Квартира",
  personalAccount: "Лицевой счет",
  ownerName: "Фамилия, имя, отчество",
  floor: "Этаж",
  entrance: "Подъезд",
} as const;
export type BuildingField = keyof typeof BUILDING_COLUMNS;
const REQUIRED: BuildingField[] = ["settlement", "street", "house", "apartment", "personalAccount"];

const ALIASES: Array<[RegExp, BuildingField]> = [
  [/^населенныйпункт|^нп$/, "settlement"],
  [/^район/, "cityDistrict"],
  [/^улица/, "street"],
  [/^(дом|номердома|домномер)$/, "house"],
  [/^корпус/, "buildingPart"],
  [/^(квартира|кв|номерквартиры)$/, "apartment"],
  [/^(лицевойсчет|лс|лицсчет)/, "personalAccount"],
  [/^(фамилияимяотчество|фио|собственник)/, "ownerName"],
  [/^этаж/, "floor"],
  [/^подъезд/, "entrance"],
];
const norm = (h: string) => h.toLowerCase().replace(/ё/g, "е").replace(/[^a-zа-я0-9]/g, "");

export interface BuildingRow {
  /** Line in the file (headers are line 1) or position in the submitted list (from 1). */
  line: number;
  settlement: string;
  cityDistrict: string | null;
  street: string;
  house: string;
  buildingPart: string;
  apartment: string;
  personalAccount: string;
  ownerName: string | null;
  floor: number | null;
  entrance: number | null;
}

export interface RowIssue {
  row: number;
  field: BuildingField | null;
  column: string | null;
  message: string;
}
export interface ImportReport {
  valid: boolean;
  rows: number;
  errors: RowIssue[];
}

/** Maps header cells to fields; throws missing_columns listing what is absent. */
export function mapHeaders(headers: string[]): Map<BuildingField, number> {
  const map = new Map<BuildingField, number>();
  headers.forEach((h, i) => {
    const n = norm(h);
    const hit = ALIASES.find(([re]) => re.test(n));
    if (hit && !map.has(hit[1])) map.set(hit[1], i);
  });
  const missing = REQUIRED.filter((f) => !map.has(f));
  if (missing.length)
    throw new AppError(400, "missing_columns", `В таблице нет обязательных столбцов: ${missing.map((f) => `«${BUILDING_COLUMNS[f]}»`).join(", ")}.`, {
      missing: missing.map((f) => ({ field: f, column: BUILDING_COLUMNS[f] })),
      expected: Object.values(BUILDING_COLUMNS),
    });
  return map;
}

/** Turns table rows (headers first) into raw records; empty lines are skipped. */
export function recordsFromTable(rows: string[][]): Array<{ line: number; raw: Partial<Record<BuildingField, string>> }> {
  if (rows.length === 0) throw new AppError(400, "empty_file", "Файл пуст.");
  const map = mapHeaders(rows[0]!);
  const out: Array<{ line: number; raw: Partial<Record<BuildingField, string>> }> = [];
  rows.slice(1).forEach((cells, i) => {
    if (cells.every((c) => !c || !c.trim())) return;
    const raw: Partial<Record<BuildingField, string>> = {};
    for (const [f, idx] of map) raw[f] = (cells[idx] ?? "").trim();
    out.push({ line: i + 2, raw });
  });
  if (out.length === 0) throw new AppError(400, "empty_file", "В таблице нет ни одной строки с данными.");
  return out;
}

/** Rows submitted as JSON objects, keyed by field name (settlement, street…) or by the form's column headers. */
export function recordsFromObjects(list: Array<Record<string, unknown>>): Array<{ line: number; raw: Partial<Record<BuildingField, string>> }> {
  return list.map((o, i) => {
    const raw: Partial<Record<BuildingField, string>> = {};
    for (const [k, v] of Object.entries(o)) {
      const f = k in BUILDING_COLUMNS ? (k as BuildingField) : ALIASES.find(([re]) => re.test(norm(k)))?.[1];
      if (f && raw[f] === undefined) raw[f] = v == null ? "" : String(v);
    }
    return { line: i + 1, raw };
  });
}

/** The same normalised address key in SQL as addrKey() builds in JS. */
const ADDR_SQL = `regexp_replace(translate(lower(b.settlement || '|' || b.street || '|' || b.house || '|' || b.building_part), 'ё', 'е'), '\\s+', ' ', 'g')`;
const addrKey = (r: { settlement: string; street: string; house: string; buildingPart: string }) =>
  [r.settlement, r.street, r.house, r.buildingPart].map((s) => s.toLowerCase().replace(/ё/g, "е").replace(/\s+/g, " ")).join("|");
export const addressText = (r: BuildingRow) => `${r.settlement}, ${r.street}, д. ${r.house}${r.buildingPart ? `, корп. ${r.buildingPart}` : ""}`;

/** Checks each row on its own and against the others in the list. */
export function checkRows(records: Array<{ line: number; raw: Partial<Record<string, string>> }>): { rows: BuildingRow[]; errors: RowIssue[] } {
  const errors: RowIssue[] = [];
  const rows: BuildingRow[] = [];
  const seenApt = new Map<string, number>();
  const seenAccount = new Map<string, number>();
  for (const { line, raw } of records) {
    const bad = (field: BuildingField, message: string) => errors.push({ row: line, field, column: BUILDING_COLUMNS[field], message });
    const before = errors.length;
    const s = (f: BuildingField, max: number) => {
      const v = (raw[f] ?? "").toString().trim().replace(/\s+/g, " ");
      if (v.length > max) bad(f, `не длиннее ${max} символов`);
      return v;
    };
    const int = (f: BuildingField, min: number, max: number) => {
      const v = s(f, 10);
      if (!v) return null;
      if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
        bad(f, `целое число от ${min} до ${max}`);
        return null;
      }
      return Number(v);
    };
    const row: BuildingRow = {
      line,
      settlement: s("settlement", 100),
      cityDistrict: s("cityDistrict", 100) || null,
      street: s("street", 150),
      house: s("house", 20),
      buildingPart: s("buildingPart", 20),
      apartment: s("apartment", 20),
      personalAccount: s("personalAccount", 30).replace(/\s/g, ""),
      ownerName: s("ownerName", 200) || null,
      floor: int("floor", -5, 200),
      entrance: int("entrance", 1, 100),
    };
    for (const f of REQUIRED) if (!row[f as keyof BuildingRow]) bad(f, "не заполнено");
    if (row.house && !/^\d+[а-яА-Яa-zA-Z]?(\s?\/\s?\d+[а-яА-Я]?)?$/.test(row.house)) bad("house", "номер дома в виде 12, 12А или 12/1");
    if (row.personalAccount && !/^[0-9A-Za-zА-Яа-я/-]{1,30}$/.test(row.personalAccount)) bad("personalAccount", "лицевой счёт: цифры и буквы без пробелов, до 30 знаков");
    if (errors.length === before) {
      const aptKey = `${addrKey(row)}|${row.apartment.toLowerCase()}`;
      const dupApt = seenApt.get(aptKey);
      if (dupApt) bad("apartment", `квартира повторяется (уже в строке ${dupApt})`);
      else seenApt.set(aptKey, line);
      const dupAcc = seenAccount.get(row.personalAccount);
      if (dupAcc) bad("personalAccount", `лицевой счёт повторяется (уже в строке ${dupAcc})`);
      else seenAccount.set(row.personalAccount, line);
      if (!dupApt && !dupAcc) rows.push(row);
    }
  }
  return { rows, errors };
}

interface DbBuilding {
  id: number;
  uo_id: number | null;
  uo_name: string | null;
  k: string;
}

async function existingBuildings(rows: BuildingRow[], t?: Transaction): Promise<Map<string, DbBuilding>> {
  const keys = [...new Set(rows.map(addrKey))];
  if (!keys.length) return new Map();
  const found = await sequelize().query<DbBuilding>(
    `SELECT b.id, b.uo_id, o.short_name AS uo_name,
            ${ADDR_SQL} AS k
       FROM buildings b LEFT JOIN organisations o ON o.id = b.uo_id
      WHERE ${ADDR_SQL} = ANY($1)`,
    { bind: [keys], type: QueryTypes.SELECT, transaction: t },
  );
  return new Map(found.map((b) => [b.k, b]));
}

/** Rows that clash with the database: a building served by another УО, an account held elsewhere. */
export async function checkAgainstDatabase(rows: BuildingRow[], uoId: number | null, t?: Transaction): Promise<RowIssue[]> {
  const errors: RowIssue[] = [];
  const buildings = await existingBuildings(rows, t);
  for (const r of rows) {
    const b = buildings.get(addrKey(r));
    if (b && b.uo_id !== null && b.uo_id !== uoId)
      errors.push({ row: r.line, field: "house", column: BUILDING_COLUMNS.house, message: `дом обслуживается другой управляющей организацией («${b.uo_name}»)` });
  }
  const accounts = await sequelize().query<{ personal_account: string; number: string; k: string }>(
    `SELECT a.personal_account, a.number,
            ${ADDR_SQL} AS k
       FROM apartments a JOIN buildings b ON b.id = a.building_id WHERE a.personal_account = ANY($1)`,
    { bind: [rows.map((r) => r.personalAccount)], type: QueryTypes.SELECT, transaction: t },
  );
  const byAccount = new Map(accounts.map((a) => [a.personal_account, a]));
  for (const r of rows) {
    const a = byAccount.get(r.personalAccount);
    if (a && (a.k !== addrKey(r) || a.number.toLowerCase() !== r.apartment.toLowerCase()))
      errors.push({ row: r.line, field: "personalAccount", column: BUILDING_COLUMNS.personalAccount, message: "лицевой счёт уже закреплён за другой квартирой" });
  }
  return errors;
}

/** Full check: per-row, within the list, against the database. Sorted by row. */
export async function buildReport(records: Array<{ line: number; raw: Partial<Record<string, string>> }>, uoId: number | null, t?: Transaction) {
  const { rows, errors } = checkRows(records);
  errors.push(...(await checkAgainstDatabase(rows, uoId, t)));
  errors.sort((a, b) => a.row - b.row);
  const report: ImportReport = { valid: errors.length === 0, rows: records.length, errors };
  return { rows, report };
}

export const invalidImport = (report: ImportReport) =>
  new AppError(422, "import_invalid", `В файле ошибки в ${new Set(report.errors.map((e) => e.row)).size} строках: ничего не загружено. Исправьте их и загрузите файл снова.`, report);

export interface ApplyResult {
  buildingsCreated: number;
  buildingsAssigned: number;
  apartmentsCreated: number;
  apartmentsUpdated: number;
  unchanged: number;
}

/** Applies checked rows for a УО in the caller's transaction. Re-applying the same rows changes nothing. */
export async function applyRows(rows: BuildingRow[], uoId: number, t: Transaction): Promise<ApplyResult> {
  const res: ApplyResult = { buildingsCreated: 0, buildingsAssigned: 0, apartmentsCreated: 0, apartmentsUpdated: 0, unchanged: 0 };
  const existing = await existingBuildings(rows, t);
  const ids = new Map<string, number>();
  for (const r of rows) {
    const k = addrKey(r);
    if (ids.has(k)) continue;
    const b = existing.get(k);
    if (b) {
      if (b.uo_id === null) {
        await sequelize().query("UPDATE buildings SET uo_id = $1, updated_at = now() WHERE id = $2", { bind: [uoId, b.id], transaction: t });
        res.buildingsAssigned++;
      }
      ids.set(k, b.id);
    } else {
      const [ins] = (await sequelize().query(
        `INSERT INTO buildings (settlement, city_district, street, house, building_part, uo_id) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`,
        { bind: [r.settlement, r.cityDistrict, r.street, r.house, r.buildingPart, uoId], transaction: t },
      )) as [Array<{ id: number }>, unknown];
      ids.set(k, ins[0]!.id);
      res.buildingsCreated++;
    }
  }
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const out = await sequelize().query<{ inserted: boolean }>(
      `INSERT INTO apartments (building_id, number, personal_account, owner_name, floor, entrance)
       SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[])
       ON CONFLICT (building_id, lower(number)) DO UPDATE
          SET personal_account = EXCLUDED.personal_account, owner_name = EXCLUDED.owner_name,
              floor = EXCLUDED.floor, entrance = EXCLUDED.entrance, updated_at = now()
        WHERE (apartments.personal_account, apartments.owner_name, apartments.floor, apartments.entrance)
              IS DISTINCT FROM (EXCLUDED.personal_account, EXCLUDED.owner_name, EXCLUDED.floor, EXCLUDED.entrance)
       RETURNING (xmax = 0) AS inserted`,
      {
        bind: [
          chunk.map((r) => ids.get(addrKey(r))),
          chunk.map((r) => r.apartment),
          chunk.map((r) => r.personalAccount),
          chunk.map((r) => r.ownerName),
          chunk.map((r) => r.floor),
          chunk.map((r) => r.entrance),
        ],
        type: QueryTypes.SELECT,
        transaction: t,
      },
    );
    const created = out.filter((o) => o.inserted).length;
    res.apartmentsCreated += created;
    res.apartmentsUpdated += out.length - created;
    res.unchanged += chunk.length - out.length;
  }
  return res;
}
