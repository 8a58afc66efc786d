// Reports and ratings for staff: JSON (chart-ready), CSV and XLSX. Scope by the report policy.
import Router from "@koa/router";
import { z } from "zod";
import { errors } from "../../errors.ts";
import { authorize } from "../../policies/index.ts";
import { reportScope } from "../../policies/report.ts";
import { presentRatings, presentReport, ratingTable, reportTable } from "../../presenters/report.ts";
import { prefetchExcel, sendTable } from "../../reports/export.ts";
import { METRIC_LABELS, METRICS } from "../../reports/metrics.ts";
import { BREAKDOWN_LABELS, BREAKDOWNS, parseMonth, parsePeriod, reportQuerySchema } from "../../reports/period.ts";
import { computeRatings } from "../../reports/rating.ts";
import { buildReport } from "../../reports/report.ts";
import { requireStaff } from "../middleware/auth.ts";
import { parse } from "../middleware/validate.ts";

const ratingQuerySchema = z
  .object({ month: z.string(), format: z.enum(["json", "csv", "xlsx"], { message: "формат: json, csv или xlsx" }).default("json") })
  .strict();

export function reportsRouter(): Router {
  const r = new Router({ prefix: "/api/reports" });
  r.use(async (_ctx, next) => {
    prefetchExcel();
    await next();
  });

  r.get("/", async (ctx) => {
    const actor = requireStaff(ctx);
    authorize(actor, "report:view");
    const q = parse(reportQuerySchema, ctx.query);
    const period = parsePeriod(q.from, q.to);
    const scope = reportScope(actor);
    if (scope.kind === "uo" && q.uoId && q.uoId !== scope.orgId) throw errors.forbidden("Отчёты по другой управляющей организации недоступны.");
    if (scope.kind === "executor" && q.executorOrgId && q.executorOrgId !== scope.orgId)
      throw errors.forbidden("Отчёты по другой организации недоступны.");
    const report = await buildReport(period, q.by, scope, { uoId: q.uoId, executorOrgId: q.executorOrgId, categoryId: q.categoryId, channel: q.channel });
    if (q.format === "json") ctx.body = presentReport(report);
    else await sendTable(ctx, reportTable(report), q.format, `otchet_${q.by}_${q.from}_${q.to}`);
  });

  r.get("/meta", async (ctx) => {
    const actor = requireStaff(ctx);
    authorize(actor, "report:view");
    ctx.body = {
      breakdowns: BREAKDOWNS.map((b) => ({ id: b, name: BREAKDOWN_LABELS[b] })),
      metrics: METRICS.map((m) => ({ id: m, name: METRIC_LABELS[m] })),
      scope: reportScope(actor),
    };
  });

  r.get("/ratings", async (ctx) => {
    const actor = requireStaff(ctx);
    authorize(actor, "rating:view");
    const q = parse(ratingQuerySchema, ctx.query);
    const period = parseMonth(q.month);
    const list = await computeRatings(period);
    if (q.format === "json") ctx.body = presentRatings(q.month, list);
    else await sendTable(ctx, ratingTable(q.month, list), q.format, `reiting_uo_${q.month}`);
  });

  return r;
}
