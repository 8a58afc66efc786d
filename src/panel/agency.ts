// Agency and oversight pages over the other engineers' modules: reports with charts and
// exports, the УО rating, connection requests (review via the JSON API), conflicts.
import Router from "@koa/router";
import { DateTime } from "luxon";
import { Op } from "sequelize";
import { z } from "zod";
import { config } from "../config.ts";
import { Conflict } from "../models/Conflict.ts";
import { ConnectionRequest } from "../models/ConnectionRequest.ts";
import { Organisation } from "../models/Organisation.ts";
import { authorize, can } from "../policies/index.ts";
import { reportScope } from "../policies/report.ts";
import { presentConnectionRequestSummary, presentConflict } from "../presenters/onboarding.ts";
import { CHART_METRICS, presentRatings, presentReport } from "../presenters/report.ts";
import { BREAKDOWN_LABELS, BREAKDOWNS, parseMonth, parsePeriod } from "../reports/period.ts";
import { computeRatings } from "../reports/rating.ts";
import { buildReport } from "../reports/report.ts";
import { parse } from "../routes/middleware/validate.ts";
import { panelErrors } from "./errors.ts";
import { staff } from "./guard.ts";
import { html, selected, type Html } from "./html.ts";
import { page } from "./layout.ts";
import { ORG_LABELS } from "./admin.ts";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "дата в формате ГГГГ-ММ-ДД");

/** A bar chart in plain HTML/CSS: one row per label, widths relative to the largest value. */
function bars(labels: string[], values: number[], unit = ""): Html {
  const max = Math.max(1, ...values.map((v) => (Number.isFinite(v) ? v : 0)));
  return html`<div class="bars" role="img" aria-label="Диаграмма">${labels.map(
    (l, i) => html`<div class="bar"><span class="bar-label">${l}</span><span class="bar-track"><span class="bar-fill w${Math.round(((values[i] ?? 0) / max) * 20) * 5}"></span></span><span class="bar-value">${values[i] ?? 0}${unit}</span></div>`,
  )}</div>`;
}

export function agencyRoutes(): Router {
  const r = new Router({ prefix: "/panel" });
  r.use(panelErrors);

  r.get("/reports", async (ctx) => {
    const a = staff(ctx);
    authorize(a, "report:view");
    const tz = config().district.timezone;
    const now = DateTime.now().setZone(tz);
    const q = parse(
      z.object({ from: day.default(now.startOf("month").toISODate()!), to: day.default(now.toISODate()!), by: z.enum(BREAKDOWNS).default("uo") }),
      ctx.query,
    );
    const report = presentReport(await buildReport(parsePeriod(q.from, q.to), q.by, reportScope(a), {}));
    const metric = CHART_METRICS[0]!;
    const qs = new URLSearchParams({ from: q.from, to: q.to, by: q.by });
    page(ctx, {
      title: "Отчёты",
      body: html`<h1>Отчёты</h1>
<form method="get" action="/panel/reports" class="row">
<label for="r-from">С</label><input id="r-from" type="date" name="from" value="${q.from}" required>
<label for="r-to">по</label><input id="r-to" type="date" name="to" value="${q.to}" required>
<label for="r-by">Разбивка</label><select id="r-by" name="by">${BREAKDOWNS.map((b) => html`<option value="${b}"${selected(b, q.by)}>${BREAKDOWN_LABELS[b]}</option>`)}</select>
<button type="submit">Показать</button>
<a href="/api/reports?${qs.toString()}&amp;format=xlsx">Скачать XLSX</a> <a href="/api/reports?${qs.toString()}&amp;format=csv">CSV</a></form>
<h2>${report.metrics.find((m) => m.id === metric)?.name ?? ""}: ${report.byLabel}</h2>
${bars(report.chart.labels, (report.chart.series.find((s) => s.metric === metric)?.data ?? []) as number[])}
<div class="scroll"><table class="grid"><thead><tr><th>${report.byLabel}</th>${report.metrics.map((m) => html`<th>${m.name}</th>`)}</tr></thead><tbody>
${report.rows.map((row) => html`<tr><td>${row.label}</td>${report.metrics.map((m) => html`<td>${String((row as Record<string, unknown>)[m.id] ?? "")}</td>`)}</tr>`)}
<tr><th>Итого</th>${report.metrics.map((m) => html`<th>${String((report.total as Record<string, unknown>)[m.id] ?? "")}</th>`)}</tr>
</tbody></table></div>`,
    });
  });

  r.get("/ratings", async (ctx) => {
    const a = staff(ctx);
    authorize(a, "rating:view");
    const { month } = parse(
      z.object({ month: z.string().regex(/^\d{4}-\d{2}$/, "месяц в формате ГГГГ-ММ").default(DateTime.now().setZone(config().district.timezone).toFormat("yyyy-MM")) }),
      ctx.query,
    );
    const res = presentRatings(month, await computeRatings(parseMonth(month)));
    page(ctx, {
      title: "Рейтинг УО",
      body: html`<h1>Рейтинг управляющих организаций</h1>
<form method="get" action="/panel/ratings" class="row"><label for="rt-m">Месяц</label><input id="rt-m" type="month" name="month" value="${month}"><button type="submit">Показать</button>
<a href="/api/reports/ratings?month=${month}&amp;format=xlsx">Скачать XLSX</a></form>
${bars(res.chart.labels, res.chart.series[0]!.data as number[], " б.")}
<table class="grid"><thead><tr><th>Место</th><th>УО</th><th>Баллы</th><th>Домов</th><th>Квартир</th></tr></thead><tbody>
${res.items.map((x) => html`<tr><td>${x.rank}</td><td>${x.uo.name}</td><td>${x.score}</td><td>${x.buildings}</td><td>${x.apartments}</td></tr>`)}
</tbody></table>`,
    });
  });

  r.get("/requests", async (ctx) => {
    const a = staff(ctx);
    authorize(a, "connectionRequest:review");
    const list = (await ConnectionRequest.findAll({ order: [["id", "DESC"]], limit: 200 })).map(presentConnectionRequestSummary);
    page(ctx, {
      title: "Заявки на подключение",
      page: "admin",
      body: html`<h1>Заявки организаций на подключение</h1>
<div id="api-result" role="status" aria-live="polite"></div>
<table class="grid"><thead><tr><th>Организация</th><th>Тип</th><th>ИНН</th><th>Сотрудников</th><th>Квартир</th><th>Статус</th><th></th></tr></thead><tbody>
${list.map(
  (x) => html`<tr><td>${x.name}</td><td>${ORG_LABELS[x.orgType] ?? x.orgType}</td><td>${x.inn ?? ""}</td><td>${x.staffCount}</td><td>${x.apartmentsCount}</td><td>${x.statusLabel}</td>
<td>${
    x.status === "submitted"
      ? html`<form class="row" data-api="/api/onboarding/requests/${x.id}/approve" data-method="POST" data-reload><button type="submit">Одобрить и выдать логины</button></form>
<form class="row" data-api="/api/onboarding/requests/${x.id}/reject" data-method="POST" data-reload><label class="sr" for="rj-${x.id}">Причина отказа</label><input id="rj-${x.id}" name="reason" placeholder="причина отказа" required><button type="submit" class="secondary">Отклонить</button></form>`
      : null
  }</td></tr>`,
)}</tbody></table>`,
    });
  });

  r.get("/conflicts", async (ctx) => {
    const a = staff(ctx);
    const where = a.role === "oversight" ? { status: { [Op.in]: ["escalated", "decided"] } } : {};
    const rows = await Conflict.findAll({
      where,
      include: [
        { model: Organisation, as: "notifierOrg" },
        { model: Organisation, as: "respondentOrg" },
      ],
      order: [["id", "DESC"]],
      limit: 200,
    });
    const list = rows.filter((c) => can(a, "conflict:view", c)).map((c) => presentConflict(c));
    page(ctx, {
      title: "Конфликты",
      body: html`<h1>${a.role === "oversight" ? "Конфликты, переданные в надзор" : "Конфликты"}</h1>
${list.length ? null : html`<p class="muted">Конфликтов нет.</p>`}
${list.map(
  (c) => html`<article class="card conflict"><h2>${c.notifier.name ?? ""} → ${c.respondent.name ?? ""} <small class="muted">${c.statusLabel}</small></h2>
<p>${c.substance}</p>${c.escalationReason ? html`<p class="reason">Передан в надзор: ${c.escalationReason}</p>` : null}
${c.decision ? html`<p><b>Решение:</b> ${c.decision}</p>` : null}${c.ticketId ? html`<p><a href="/panel/tickets/${c.ticketId}">Заявка</a></p>` : null}</article>`,
)}`,
    });
  });
  return r;
}
