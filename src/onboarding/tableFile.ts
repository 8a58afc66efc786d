// Reads an uploaded table (CSV in UTF-8 or Windows-1251, or XLSX) into rows of strings.
// An XLSX is a zip: its central directory is read first, and a file that is not a zip, lacks the
// workbook parts, or would inflate beyond the limits (a zip bomb) is refused before exceljs sees it.
import { parse as parseCsv } from "csv-parse/sync";
import type * as ExcelJS from "exceljs";

// exceljs (~17 MB) is loaded when a workbook is made or read, not at start.
const excel = async () => ((await import("exceljs")) as unknown as { default: typeof ExcelJS }).default;
import iconv from "iconv-lite";
import { inflateRawSync } from "node:zlib";
import { AppError } from "../errors.ts";

export const TABLE_LIMITS = {
  maxBytes: 10 * 1024 * 1024,
  maxRows: 50_000,
  maxUnzippedBytes: 100 * 1024 * 1024,
  maxZipEntries: 2_000,
  maxRatio: 200,
};

export interface Table {
  format: "csv" | "xlsx";
  encoding: "utf-8" | "windows-1251" | null;
  /** First row = headers. Each cell trimmed. */
  rows: string[][];
}

const badFile = (id: string, message: string) => new AppError(400, id, message);

export function isZip(buf: Buffer): boolean {
  return buf.length >= 4 && buf.readUInt32LE(0) === 0x04034b50;
}

/** Reads the zip central directory; throws unless it looks like a sane XLSX. */
export function inspectXlsx(buf: Buffer, limits = TABLE_LIMITS): void {
  const notXlsx = () => badFile("not_xlsx", "Файл не является книгой Excel (XLSX). Сохраните таблицу в формате XLSX или CSV.");
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw notXlsx();
  const entries = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  let p = buf.readUInt32LE(eocd + 16);
  if (entries === 0xffff || p === 0xffffffff || p + cdSize > buf.length) throw notXlsx(); // zip64 or broken
  if (entries > limits.maxZipEntries) throw badFile("xlsx_too_complex", "Файл XLSX содержит слишком много частей.");
  let total = 0;
  const names = new Set<string>();
  for (let n = 0; n < entries; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw notXlsx();
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    const method = buf.readUInt16LE(p + 10);
    const localAt = buf.readUInt32LE(p + 42);
    names.add(buf.toString("utf8", p + 46, p + 46 + nameLen));
    if (size > 1_000_000 && size / Math.max(compressed, 1) > limits.maxRatio) throw zipBomb();
    // The declared sizes may lie: inflate each part with a hard cap on what it may produce.
    total += actualSize(buf, localAt, compressed, method, Math.min(size, limits.maxUnzippedBytes - total), notXlsx);
    if (total > limits.maxUnzippedBytes) throw zipBomb();
    p += 46 + nameLen + extra + comment;
  }
  if (!names.has("[Content_Types].xml") || !names.has("xl/workbook.xml")) throw notXlsx();
}

function actualSize(buf: Buffer, localAt: number, compressed: number, method: number, cap: number, notXlsx: () => AppError): number {
  if (localAt + 30 > buf.length || buf.readUInt32LE(localAt) !== 0x04034b50) throw notXlsx();
  const start = localAt + 30 + buf.readUInt16LE(localAt + 26) + buf.readUInt16LE(localAt + 28);
  if (start + compressed > buf.length) throw notXlsx();
  if (method === 0) return compressed;
  if (method !== 8) throw notXlsx();
  try {
    return inflateRawSync(buf.subarray(start, start + compressed), { maxOutputLength: Math.max(cap, 1) }).length;
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) throw zipBomb();
    throw notXlsx();
  }
}

const zipBomb = () => badFile("xlsx_too_large", "Файл XLSX после распаковки слишком велик. Разбейте таблицу на части.");

function cellText(v: ExcelJS.CellValue): string {
  if (v == null) return "";
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === "object") {
    if ("richText" in v) return v.richText.map((t) => t.text).join("");
    if ("result" in v) return cellText(v.result as ExcelJS.CellValue);
    if ("text" in v) return String(v.text);
    return "";
  }
  return String(v);
}

async function readXlsx(buf: Buffer, limits: typeof TABLE_LIMITS): Promise<string[][]> {
  inspectXlsx(buf, limits);
  const wb = new (await excel()).Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch {
    throw badFile("not_xlsx", "Не удалось прочитать файл XLSX: он повреждён или не является книгой Excel.");
  }
  const ws = wb.worksheets[0];
  if (!ws) throw badFile("empty_file", "В книге нет ни одного листа.");
  if (ws.rowCount > limits.maxRows + 1) throw tooManyRows(limits.maxRows);
  const rows: string[][] = [];
  const width = ws.columnCount;
  ws.eachRow({ includeEmpty: true }, (row) => {
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value).trim());
    rows.push(cells);
  });
  return rows;
}

const tooManyRows = (n: number) => badFile("too_many_rows", `В файле больше ${n} строк. Разбейте его на части.`);

/** UTF-8 (with or without BOM) when the bytes are valid UTF-8, otherwise Windows-1251. */
export function decodeText(buf: Buffer): { text: string; encoding: "utf-8" | "windows-1251" } {
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(buf);
    return { text, encoding: "utf-8" };
  } catch {
    return { text: iconv.decode(buf, "win1251"), encoding: "windows-1251" };
  }
}

function readCsv(buf: Buffer, limits: typeof TABLE_LIMITS): { rows: string[][]; encoding: "utf-8" | "windows-1251" } {
  if (buf.includes(0)) throw badFile("not_csv", "Файл не является текстовой таблицей CSV. Допустимы CSV (UTF-8 или Windows-1251) и XLSX.");
  const { text, encoding } = decodeText(buf);
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = [";", "\t", ","].reduce((best, d) => (firstLine.split(d).length > firstLine.split(best).length ? d : best), ";");
  let rows: string[][];
  try {
    rows = parseCsv(text, { delimiter, relax_column_count: true, skip_empty_lines: false, trim: true, bom: true, to: limits.maxRows + 2 });
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw badFile("csv_malformed", `Файл CSV повреждён${line ? ` (строка ${line})` : ""}: проверьте кавычки и разделители.`);
  }
  if (rows.length > limits.maxRows + 1) throw tooManyRows(limits.maxRows);
  return { rows, encoding };
}

export async function readTable(buf: Buffer, originalName = "", limits = TABLE_LIMITS): Promise<Table> {
  if (buf.length === 0) throw badFile("empty_file", "Файл пуст.");
  if (buf.length > limits.maxBytes) throw new AppError(413, "file_too_large", `Файл слишком большой: допускается не более ${limits.maxBytes / 1024 / 1024} МБ.`);
  if (isZip(buf) || /\.xlsx$/i.test(originalName)) {
    const rows = await readXlsx(buf, limits);
    return { format: "xlsx", encoding: null, rows };
  }
  if (/\.xls$/i.test(originalName) || buf.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0])))
    throw badFile("xls_not_supported", "Старый формат XLS не поддерживается. Сохраните таблицу как XLSX или CSV.");
  const { rows, encoding } = readCsv(buf, limits);
  return { format: "csv", encoding, rows };
}
