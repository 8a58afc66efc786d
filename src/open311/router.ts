// GeoReport v2 under /open311/v2/: discovery, services, service definitions, requests (GET,
// POST), one request, and tokens — in XML or JSON by the path's extension, errors in the
// spec's format. Public: mounted before the session middleware; POST needs an api_key.
import Router from "@koa/router";
import { bodyParser } from "@koa/bodyparser";
import type { Context } from "koa";
import { Op, QueryTypes, type WhereOptions } from "sequelize";
import { z } from "zod";
import { config } from "../config.ts";
import { sequelize } from "../db/sequelize.ts";
import { Building } from "../models/Building.ts";
import { Category } from "../models/Category.ts";
import { Organisation } from "../models/Organisation.ts";
import { Ticket } from "../models/Ticket.ts";
import { presentServiceRequest } from "../presenters/open311.ts";
import { badRequest, notFound, open311Errors, send, splitFormat, toXml, type Format, type XmlValue } from "./format.ts";
import { activeServices, presentService, presentServiceDefinition, serviceByCode } from "./services.ts";
import { checkJurisdiction, JURISDICTION_ID, open311RequestSubmitter } from "./requestSubmitter.ts";

export const SPEC_URL = "http://wiki.open311.org/GeoReport_v2";
export const CHANGESET = "2026-12-07T00:00:00Z";
/** Defaults of GET requests (spec: the last 90 days, at most 1000 requests). */
export const DEFAULT_DAYS = 90;
export const MAX_RESULTS = 1000;

const ITEM_TAGS = {
  services: "service",
  service_requests: "request",
  attributes: "attribute",
  values: "value",
  endpoints: "endpoint",
  formats: "format",
};
const includes = [
  { model: Category, as: "category" },
  { model: Building, as: "building" },
  { model: Organisation, as: "uo" },
];

function reply(ctx: Context, format: Format, root: string, body: unknown, status = 200) {
  send(ctx, format, status, body, () => toXml(root, body as XmlValue, ITEM_TAGS));
}

const listQuery = z.object({
  jurisdiction_id: z.string().optional(),
  service_request_id: z.string().max(20000).optional(),
  service_code: z.string().max(2000).optional(),
  status: z.string().max(50).optional(),
  start_date: z.string().max(40).optional(),
  end_date: z.string().max(40).optional(),
  page: z.coerce.number().int().min(1).max(100000).optional(),
  page_size: z.coerce.number().int().min(1).max(MAX_RESULTS).optional(),
});

const parseDate = (s: string, field: string) => {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw badRequest(`${field}: ожидается дата в формате ISO 8601 (например, 2026-12-01T00:00:00+03:00).`);
  return d;
};
const list = (s: string | undefined) => (s ?? "").split(",").map((x) => x.trim()).filter(Boolean);

export function open311Router(): Router {
  const r = new Router({ prefix: "/open311/v2" });
  r.use(open311Errors);

  r.get("/:file", async (ctx) => {
    const { name, format } = splitFormat(ctx.params.file);
    checkJurisdiction(ctx.query.jurisdiction_id as string | undefined);
    if (name === "discovery") {
      const base = `${config().http.publicUrl.replace(/\/$/, "")}/open311/v2`;
      return reply(ctx, format, "discovery", {
        changeset: CHANGESET,
        contact: `${config().district.name}: Центр обработки заявок`,
        key_service: `Ключ api_key выдаёт техническая поддержка платформы; jurisdiction_id — «${JURISDICTION_ID}».`,
        endpoints: [{ specification: SPEC_URL, url: base, changeset: CHANGESET, type: "production", formats: ["text/xml", "application/json"] }],
      });
    }
    if (name === "services") return reply(ctx, format, "services", (await activeServices()).map(presentService));
    if (name === "requests") return listRequests(ctx, format);
    throw notFound(`Ресурс «${name}» не существует.`);
  });

  r.get("/services/:file", async (ctx) => {
    const { name, format } = splitFormat(ctx.params.file);
    checkJurisdiction(ctx.query.jurisdiction_id as string | undefined);
    const c = await serviceByCode(name);
    if (!c) throw notFound(`service_code «${name}» не найден.`);
    reply(ctx, format, "service_definition", presentServiceDefinition(c));
  });

  r.get("/requests/:file", async (ctx) => {
    const { name, format } = splitFormat(ctx.params.file);
    checkJurisdiction(ctx.query.jurisdiction_id as string | undefined);
    const t = await Ticket.findOne({ where: { number: name }, include: includes });
    if (!t) throw notFound(`Заявка «${name}» не найдена.`);
    reply(ctx, format, "service_requests", [presentServiceRequest(t)]);
  });

  r.get("/tokens/:file", async (ctx) => {
    const { name, format } = splitFormat(ctx.params.file);
    checkJurisdiction(ctx.query.jurisdiction_id as string | undefined);
    if (!/^[0-9a-f-]{36}$/i.test(name)) throw notFound("Токен не найден.");
    const rows = await sequelize().query<{ number: string }>(
      `SELECT t.number FROM open311_requests r JOIN tickets t ON t.id = r.ticket_id WHERE r.token = :token`,
      { type: QueryTypes.SELECT, replacements: { token: name } },
    );
    if (!rows[0]) throw notFound("Токен не найден.");
    reply(ctx, format, "service_requests", [{ service_request_id: rows[0].number, token: name }]);
  });

  r.post("/:file", bodyParser({ enableTypes: ["form", "json"], formLimit: "64kb", jsonLimit: "64kb", encoding: "utf-8" }), async (ctx) => {
    const { name, format } = splitFormat(ctx.params.file);
    if (name !== "requests") throw notFound(`Ресурс «${name}» не принимает POST.`);
    const body = (ctx.request as { body?: unknown }).body;
    const { ticket, token } = await open311RequestSubmitter(body && typeof body === "object" ? (body as Record<string, unknown>) : {});
    reply(
      ctx,
      format,
      "service_requests",
      [{ service_request_id: ticket.number, token, service_notice: ticket.emergency ? "Аварийная заявка: выезд аварийной службы в течение 30 минут." : null, account_id: null }],
      201,
    );
  });

  return r;
}

async function listRequests(ctx: Context, format: Format) {
  const q = listQuery.parse(ctx.query);
  const where: WhereOptions<Ticket>[] = [];
  const ids = list(q.service_request_id);
  if (ids.length > MAX_RESULTS) throw badRequest(`service_request_id: не более ${MAX_RESULTS} идентификаторов.`);
  if (ids.length) where.push({ number: { [Op.in]: ids } });
  else {
    // Without ids the spec's default window applies: the last 90 days, or up to 90 days from start_date.
    const end = q.end_date ? parseDate(q.end_date, "end_date") : q.start_date ? null : new Date();
    const start = q.start_date ? parseDate(q.start_date, "start_date") : new Date((end ?? new Date()).getTime() - DEFAULT_DAYS * 86400_000);
    if (end && end < start) throw badRequest("start_date позже end_date.");
    if (end && end.getTime() - start.getTime() > DEFAULT_DAYS * 86400_000) throw badRequest(`Интервал start_date–end_date не более ${DEFAULT_DAYS} дней.`);
    where.push({ createdAt: { [Op.gte]: start, [Op.lte]: end ?? new Date(start.getTime() + DEFAULT_DAYS * 86400_000) } });
  }
  const codes = list(q.service_code);
  if (codes.length) {
    const cats = await Category.findAll({ where: { code: { [Op.in]: codes } }, attributes: ["id", "code"] });
    const unknown = codes.filter((c) => !cats.some((x) => x.code === c));
    if (unknown.length) throw notFound(`service_code не найден: ${unknown.join(", ")}.`);
    where.push({ categoryId: { [Op.in]: cats.map((c) => c.id) } });
  }
  const statuses = list(q.status);
  if (statuses.some((s) => s !== "open" && s !== "closed")) throw badRequest("status: open или closed (можно через запятую).");
  if (statuses.length === 1) where.push(statuses[0] === "open" ? { status: { [Op.ne]: "closed" } } : { status: "closed" });
  const pageSize = q.page_size ?? MAX_RESULTS;
  const rows = await Ticket.findAll({
    where: { [Op.and]: where },
    include: includes,
    order: [["createdAt", "DESC"], ["id", "DESC"]],
    limit: pageSize,
    offset: ((q.page ?? 1) - 1) * pageSize,
  });
  reply(ctx, format, "service_requests", rows.map(presentServiceRequest));
}
