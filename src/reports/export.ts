// Tables to files: CSV (UTF-8 with BOM, ";" — what Russian Excel opens directly) and XLSX.
import type * as ExcelJS from "exceljs";

// exceljs (~17 MB) is loaded when a workbook is made or read, not at start.
let loading: Promise<typeof ExcelJS> | undefined;
const excel = () => (loading ??= import("exceljs").then((m) => (m as unknown as { default: typeof ExcelJS }).default));

/** Loads exceljs in the background once someone works with reports, so their first export does not wait for it. */
export function prefetchExcel(): void {
  excel().catch(() => {
    loading = undefined;
  });
}

export type Cell = string | number | null;
export interface Table {
  title: string;
  headers: string[];
  rows: Cell[][];
}

function csvCell(v: Cell): string {
  if (v === null) return "";
  const s = typeof v === "number" ? String(v).replace(".", ",") : v;
  // Neutralise spreadsheet formulas in text cells (CSV injection).
  const safe = typeof v === "string" && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[";\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(t: Table): string {
  const lines = [t.headers, ...t.rows].map((r) => r.map(csvCell).join(";"));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

export async function toXlsx(t: Table): Promise<Buffer> {
  const wb = new (await excel()).Workbook();
  wb.creator = "Открытая Печора";
  const ws = wb.addWorksheet(t.title.slice(0, 31).replace(/[\\/?*[\]:]/g, " "));
  ws.addRow(t.headers).font = { bold: true };
  for (const r of t.rows) ws.addRow(r.map((v) => (v === null ? "" : v)));
  ws.columns.forEach((c, i) => {
    c.width = Math.min(60, Math.max(10, ...[t.headers[i] ?? "", ...t.rows.map((r) => String(r[i] ?? ""))].map((s) => s.length + 2)));
  });
  ws.views = [{ state: "frozen", ySplit: 1 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Sets the body and headers of a Koa context for a table in the chosen format. */
export async function sendTable(ctx: { set(h: string, v: string): void; body: unknown; type: string }, t: Table, format: "csv" | "xlsx", fileBase: string): Promise<void> {
  const name = encodeURIComponent(`${fileBase}.${format}`);
  ctx.set("Content-Disposition", `attachment; filename="${fileBase.replace(/[^\w.-]/g, "_")}.${format}"; filename*=UTF-8''${name}`);
  if (format === "csv") {
    ctx.type = "text/csv; charset=utf-8";
    ctx.body = toCsv(t);
  } else {
    ctx.type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    ctx.body = await toXlsx(t);
  }
}
