// GeoReport v2 wire formats: every response is either XML or JSON, chosen by the path's
// extension (".xml" or ".json"); errors are a list of { code, description } in both.
import type { Context } from "koa";
import { ZodError } from "zod";
import { AppError } from "../errors.ts";
import { logger } from "../logger.ts";

export type Format = "xml" | "json";

/** An error in the spec's shape; `status` is the HTTP status (400, 403, 404, 429, 500). */
export class Open311Error extends Error {
  constructor(
    public readonly status: number,
    public readonly description: string,
  ) {
    super(description);
    this.name = "Open311Error";
  }
}

export const badRequest = (d: string) => new Open311Error(400, d);
export const forbidden = (d: string) => new Open311Error(403, d);
export const notFound = (d: string) => new Open311Error(404, d);
export const tooMany = (d: string) => new Open311Error(429, d);

/** Splits "requests.json" into ["requests", "json"]; an unknown extension is a 404 (no such resource). */
export function splitFormat(file: string | undefined): { name: string; format: Format } {
  const m = /^(.*)\.(xml|json)$/.exec(file ?? "");
  if (!m) throw notFound("Укажите формат ответа расширением .xml или .json.");
  return { name: decodeURIComponent(m[1]!), format: m[2] as Format };
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

export type XmlValue = string | number | boolean | null | undefined | XmlNode | XmlValue[];
export interface XmlNode {
  [tag: string]: XmlValue;
}

/** Serialises plain objects; arrays repeat the element named by `itemTags[parentTag]`. */
export function toXml(rootTag: string, value: XmlValue, itemTags: Record<string, string>): string {
  const node = (tag: string, v: XmlValue): string => {
    if (v === null || v === undefined) return `<${tag}/>`;
    if (Array.isArray(v)) {
      const item = itemTags[tag] ?? "item";
      return `<${tag}>${v.map((x) => node(item, x)).join("")}</${tag}>`;
    }
    if (typeof v === "object") return `<${tag}>${Object.entries(v).map(([k, x]) => node(k, x)).join("")}</${tag}>`;
    return `<${tag}>${esc(String(v))}</${tag}>`;
  };
  return `<?xml version="1.0" encoding="utf-8"?>\n${node(rootTag, value)}`;
}

export function send(ctx: Context, format: Format, status: number, json: unknown, xml: () => string): void {
  ctx.status = status;
  if (format === "json") {
    ctx.type = "application/json; charset=utf-8";
    ctx.body = JSON.stringify(json);
  } else {
    ctx.type = "text/xml; charset=utf-8";
    ctx.body = xml();
  }
}

export function sendErrors(ctx: Context, format: Format, status: number, descriptions: string[]): void {
  const list = descriptions.map((d) => ({ code: status, description: d }));
  send(ctx, format, status, list, () => toXml("errors", list as unknown as XmlValue, { errors: "error" }));
}

/** Router-level middleware: every failure leaves in the spec's error format. */
export async function open311Errors(ctx: Context, next: () => Promise<unknown>): Promise<void> {
  const format: Format = /\.json$/.test(ctx.path) ? "json" : "xml";
  try {
    await next();
  } catch (err) {
    if (err instanceof Open311Error) return sendErrors(ctx, format, err.status, [err.description]);
    if (err instanceof ZodError) return sendErrors(ctx, format, 400, err.issues.map((i) => `${i.path.join(".") || "request"}: ${i.message}`));
    if (err instanceof AppError) {
      const status = err.status === 401 ? 403 : err.status >= 500 ? 500 : err.status === 404 ? 404 : err.status === 403 ? 403 : 400;
      const issues = (err.details as { issues?: Array<{ field: string; message: string }> } | undefined)?.issues;
      return sendErrors(ctx, format, status, issues?.length ? issues.map((i) => `${i.field}: ${i.message}`) : [err.message]);
    }
    const e = err as { status?: number; type?: string };
    if (e?.status === 413) return sendErrors(ctx, format, 400, ["Слишком большой запрос."]);
    if (e?.status === 400 || e?.status === 415) return sendErrors(ctx, format, 400, ["Тело запроса не разобрано: ожидается application/x-www-form-urlencoded."]);
    logger.error({ err, path: ctx.path }, "open311 failure");
    sendErrors(ctx, format, 500, ["Внутренняя ошибка сервера."]);
  }
}
