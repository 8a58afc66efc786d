// Open data (no login): aggregate statistics and ratings, active and planned outages by
// address, and a feed of tickets without personal data. Everything is also downloadable as CSV.
import Router from "@koa/router";
import { QueryTypes } from "sequelize";
import { z } from "zod";
import { DateTime } from "luxon";
import { config } from "../../config.ts";
import { sequelize } from "../../db/sequelize.ts";
import { presentPublicTicket, presentRatings, presentReport, publicTicketTable, ratingTable, reportTable, type PublicTicketRow } from "../../presenters/report.ts";
import { sendTable } from "../../reports/export.ts";
import { BREAKDOWNS, parseMonth, parsePeriod } from "../../reports/period.ts";
import { computeRatings } from "../../reports/rating.ts";
import { buildReport } from "../../reports/report.ts";
import { STATUS_LABELS, TICKET_STATUSES, type TicketStatus } from "../../workflow/states.ts";
import { parse } from "../middleware/validate.ts";

const dateStr = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "дата в формате ГГГГ-ММ-ДД");
const id = z.coerce.number().int().positive();
const fmt = z.enum(["json", "csv"], { message: "формат: json или csv" }).default("json");

const statsSchema = z
  .object({ from: dateStr, to: dateStr, by: z.enum(BREAKDOWNS, { message: `разбивка: одна из ${BREAKDOWNS.join(", ")}` }).default("total"), format: fmt })
  .strict();
const ratingsSchema = z.object({ month: z.string(), format: fmt }).strict();
const feedSchema = z
  .object({
    from: dateStr,
    to: dateStr,
    status: z.enum(TICKET_STATUSES, { message: "неизвестный статус" }).optional(),
    uoId: id.optional(),
    categoryId: id.optional(),
    district: z.string().trim().min(1).max(200).optional(),
    page: z.coerce.number().int().min(1).max(100000).default(1),
    perPage: z.coerce.number().int().min(1).max(10000, "не более 10000 строк за запрос").default(100),
    format: fmt,
  })
  .strict();
const outagesSchema = z
  .object({ buildingId: id.optional(), street: z.string().trim().min(1).max(200).optional(), house: z.string().trim().min(1).max(20).optional(), format: fmt })
  .strict();

export function openDataRouter(): Router {
  const r = new Router({ prefix: "/open/v1" });

  r.get("/stats", async (ctx) => {
    const q = parse(statsSchema, ctx.query);
    const report = await buildReport(parsePeriod(q.from, q.to), q.by, { kind: "all" });
    if (q.format === "json") ctx.body = presentReport(report);
    else await sendTable(ctx, reportTable(report), "csv", `statistika_${q.by}_${q.from}_${q.to}`);
  });

  r.get("/ratings", async (ctx) => {
    const q = parse(ratingsSchema, ctx.query);
    const list = await computeRatings(parseMonth(q.month));
    if (q.format === "json") ctx.body = presentRatings(q.month, list);
    else await sendTable(ctx, ratingTable(q.month, list), "csv", `reiting_uo_${q.month}`);
  });

  r.get("/tickets", async (ctx) => {
    const q = parse(feedSchema, ctx.query);
    const period = parsePeriod(q.from, q.to);
    const where = ["t.created_at >= :from", "t.created_at < :to"];
    if (q.status) where.push("t.status = :status");
    if (q.uoId) where.push("t.uo_id = :uoId");
    if (q.categoryId) where.push("t.category_id = :categoryId");
    if (q.district) where.push("b.city_district = :district");
    const repl = { from: period.from, to: period.to, status: q.status ?? null, uoId: q.uoId ?? null, categoryId: q.categoryId ?? null, district: q.district ?? null };
    const from = `FROM tickets t JOIN categories c ON c.id = t.category_id LEFT JOIN buildings b ON b.id = t.building_id
                  LEFT JOIN organisations o ON o.id = t.uo_id WHERE ${where.join(" AND ")}`;
    const [rows, count] = await Promise.all([
      sequelize().query<PublicTicketRow>(
        `SELECT t.number, t.created_at, t.status, c.name AS category, t.emergency, t.channel, b.settlement, b.city_district, b.street, b.house,
                b.building_part, o.short_name AS uo, t.deadline_at, t.closed_at, coalesce(t.reported_at, t.closed_at) AS done_at, t.rating,
                t.publishable, CASE WHEN t.publishable THEN t.description ELSE '' END AS description
           ${from} ORDER BY t.created_at DESC, t.id DESC LIMIT :limit OFFSET :offset`,
        { type: QueryTypes.SELECT, replacements: { ...repl, limit: q.perPage, offset: (q.page - 1) * q.perPage } },
      ),
      sequelize().query<{ n: number }>(`SELECT count(*)::int AS n ${from}`, { type: QueryTypes.SELECT, replacements: repl }),
    ]);
    const labels = { status: (s: string) => STATUS_LABELS[s as TicketStatus] ?? s };
    const items = rows.map((t) => presentPublicTicket(t, labels));
    if (q.format === "json") ctx.body = { items, page: q.page, perPage: q.perPage, total: count[0]?.n ?? 0 };
    else await sendTable(ctx, publicTicketTable(items), "csv", `zayavki_${q.from}_${q.to}_${q.page}`);
  });

  r.get("/outages", async (ctx) => {
    const q = parse(outagesSchema, ctx.query);
    const where = ["o.ended_at IS NULL", "o.cancelled_at IS NULL"]; // an overrun outage stays active until ended
    if (q.buildingId) where.push("b.id = :buildingId");
    if (q.street) where.push("lower(b.street) LIKE :street");
    if (q.house) where.push("lower(b.house) = lower(:house)");
    const rows = await sequelize().query<Record<string, any>>(
      `SELECT o.id, o.resource, o.kind, o.starts_at, o.expected_end_at, o.reason, org.short_name AS org,
              b.id AS building_id, b.settlement, b.street, b.house, b.building_part, b.city_district
         FROM outages o JOIN outage_buildings ob ON ob.outage_id = o.id JOIN buildings b ON b.id = ob.building_id
         JOIN organisations org ON org.id = o.org_id
        WHERE ${where.join(" AND ")} ORDER BY o.starts_at, o.id, b.street, b.house LIMIT 5000`,
      {
        type: QueryTypes.SELECT,
        replacements: { buildingId: q.buildingId ?? null, street: q.street ? `%${q.street.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null, house: q.house ?? null },
      },
    );
    const now = new Date();
    const zone = config().district.timezone;
    const local = (d: Date) => DateTime.fromJSDate(d, { zone }).setLocale("ru").toFormat("dd.MM.yyyy HH:mm");
    const items = rows.map((o) => ({
      id: o.id,
      resource: o.resource,
      resourceLabel: RESOURCE_LABELS[o.resource] ?? o.resource,
      kind: o.kind,
      state: o.starts_at <= now ? "active" : "planned",
      startsAt: o.starts_at.toISOString(),
      expectedEndAt: o.expected_end_at.toISOString(),
      startsLocal: local(o.starts_at),
      expectedEndLocal: local(o.expected_end_at),
      reason: o.reason,
      organisation: o.org,
      buildingId: o.building_id,
      address: `${o.settlement}, ${o.street}, д. ${o.house}${o.building_part ? `, корп. ${o.building_part}` : ""}`,
      district: o.city_district,
    }));
    if (q.format === "json") ctx.body = { items };
    else
      await sendTable(
        ctx,
        {
          title: "Отключения",
          headers: ["Ресурс", "Вид", "Состояние", "Начало", "Окончание (ожидается)", "Причина", "Организация", "Адрес", "Район"],
          rows: items.map((o) => [o.resourceLabel, o.kind === "planned" ? "плановое" : "аварийное", o.state === "active" ? "действует" : "запланировано",
            o.startsLocal, o.expectedEndLocal, o.reason, o.organisation, o.address, o.district]),
        },
        "csv",
        "otklyucheniya",
      );
  });

  return r;
}

const RESOURCE_LABELS: Record<string, string> = {
  cold_water: "Холодная вода",
  hot_water: "Горячая вода",
  heating: "Отопление",
  electricity: "Электроснабжение",
  gas: "Газ",
  sewerage: "Водоотведение",
};
