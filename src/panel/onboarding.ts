// Public onboarding pages (no login): the connection request form for a УО and for a ПО/РСО
// (regulation Appendix 2, §3.3.2) and the invitation page where a new staff member sets a
// password. They call the same schema and commands as /api/onboarding (docs/onboarding-api.md).
import Router from "@koa/router";
import multer from "@koa/multer";
import type { Context, Next } from "koa";
import { z } from "zod";
import { passwordRules } from "../auth/passwords.ts";
import { publicActor, runCommand } from "../context.ts";
import { AppError } from "../errors.ts";
import { connectionRequestSubmitter } from "../commands/connectionRequestSubmitter.ts";
import { spendBudget } from "../commands/requestBudget.ts";
import { findInvitation, onboardingInvitationAccepter } from "../commands/onboardingInvitationAccepter.ts";
import { buildReport, recordsFromTable } from "../onboarding/buildingRows.ts";
import { connectionRequestSchema } from "../onboarding/schemas.ts";
import { readTable, TABLE_LIMITS } from "../onboarding/tableFile.ts";
import { presentInvitee } from "../presenters/onboarding.ts";
import { zodIssues } from "../routes/middleware/validate.ts";
import { panelErrors } from "./errors.ts";
import { asAppError, checkPublicCsrf, publicCsrf } from "./guard.ts";
import { page, setFlash } from "./layout.ts";
import {
  CARD_FIELDS,
  connectChoice,
  connectDone,
  connectForm,
  invitePage,
  SERVED_FIELDS,
  STAFF_FIELDS,
  type ConnectFormState,
  type ConnectKind,
  type FieldErrors,
  type RowError,
} from "./views/onboarding.ts";

const KINDS: Record<ConnectKind, string> = { uo: "Подключение УО", executor: "Подключение ПО/РСО" };
const tokenRe = /^[A-Za-z0-9_-]{20,100}$/;
const notFound = () => new AppError(404, "invitation_not_found", "Ссылка-приглашение не найдена. Проверьте, что она скопирована целиком.");

type Upload = { buffer: Buffer; originalname: string };
type Issue = { field: string; message: string };

/** Form rows (staff.N.field) → the entries that were filled in, with their row numbers on the form. */
function entries(body: Record<string, unknown>, prefix: string, fields: Array<[string, string]>) {
  const list: Array<Record<string, string>> = [];
  for (let i = 0; i < 500; i++) {
    const keys = fields.map(([f]) => `${prefix}.${i}.${f}`);
    if (!keys.some((k) => k in body)) break;
    list.push(Object.fromEntries(fields.map(([f], j) => [f, String(body[keys[j]!] ?? "").trim()])));
  }
  const filled: number[] = [];
  list.forEach((r, i) => Object.values(r).some((v) => v !== "") && filled.push(i));
  return { list, filled };
}

/** Reads the posted form into the API's request body plus what the page needs to show it again. */
function readForm(kind: ConnectKind, body: Record<string, unknown>) {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === "string" && k !== "_pcsrf") values[k] = v;
  const staff = entries(body, "staff", STAFF_FIELDS);
  const served = entries(body, "served", SERVED_FIELDS);
  const card: Record<string, string> = {};
  for (const [name] of CARD_FIELDS) {
    const v = (values[`card.${name}`] ?? "").trim();
    if (v !== "" || name !== "kpp") card[name] = v;
  }
  const drop = (r: Record<string, string>, optional: string[]) => Object.fromEntries(Object.entries(r).filter(([k, v]) => v !== "" || !optional.includes(k)));
  const input = {
    orgType: kind === "uo" ? "management_company" : (values.orgType ?? ""),
    card,
    staff: staff.filled.map((i) => drop(staff.list[i]!, ["phone"])),
    served: served.filled.map((i) => drop(served.list[i]!, ["inn"])),
    requesterName: values.requesterName ?? "",
    requesterEmail: values.requesterEmail ?? "",
  };
  return { values, staff, served, input };
}

/** API issue paths use positions among filled rows; the form shows them on its own rows. */
function fieldErrors(issues: Issue[], staffRows: number[], servedRows: number[]): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) {
    const m = /^(staff|served)\.(\d+)\.(.+)$/.exec(i.field);
    const key = m ? `${m[1]}.${(m[1] === "staff" ? staffRows : servedRows)[Number(m[2])] ?? m[2]}.${m[3]}` : i.field === "body" ? "form" : i.field;
    out[key] = out[key] ? `${out[key]}; ${i.message}` : i.message;
  }
  return out;
}

export function onboardingRoutes(): Router {
  const r = new Router();
  r.use(panelErrors);
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: TABLE_LIMITS.maxBytes, files: 1, fields: 3000, fieldSize: 10_000 } }).single("buildings");
  const maybeMultipart = (ctx: Context, next: Next) => (ctx.is("multipart") ? upload(ctx as never, next) : next());

  r.get("/connect", (ctx) => page(ctx, { title: "Подключение организации", body: connectChoice() }));
  r.get("/connect/sent", (ctx) => page(ctx, { title: "Заявка отправлена", body: connectDone() }));

  r.get("/connect/:kind", (ctx) => {
    const kind = ctx.params.kind as ConnectKind;
    if (!(kind in KINDS)) return;
    const token = publicCsrf(ctx);
    page(ctx, { title: KINDS[kind], body: connectForm(kind, token, { values: {}, staff: [], served: [], errors: {}, rowErrors: [] }) });
  });

  r.post("/connect/:kind", maybeMultipart, async (ctx) => {
    const kind = ctx.params.kind as ConnectKind;
    if (!(kind in KINDS)) return;
    const body = ((ctx.request as { body?: Record<string, unknown> }).body ?? {}) as Record<string, unknown>;
    checkPublicCsrf(ctx, body._pcsrf);
    const form = readForm(kind, body);
    const state: ConnectFormState = { values: form.values, staff: form.staff.list, served: form.served.list, errors: {}, rowErrors: [] };
    const show = (status: number) => {
      ctx.status = status;
      page(ctx, { title: KINDS[kind], body: connectForm(kind, publicCsrf(ctx), state) });
      ctx.status = status;
    };
    if (body.more === "1") return show(200);

    // Everything is checked before anything is written: card and lists, then the file's rows.
    const parsed = connectionRequestSchema.safeParse(form.input);
    const issues: Issue[] = parsed.success ? [] : zodIssues(parsed.error);
    const file = (ctx as unknown as { file?: Upload }).file;
    let records: ReturnType<typeof recordsFromTable> | undefined;
    if (kind === "uo") {
      if (!file || file.buffer.length === 0) issues.push({ field: "buildings", message: "приложите список обслуживаемых домов и лицевых счетов (CSV или XLSX)" });
      else
        try {
          records = recordsFromTable((await readTable(file.buffer, file.originalname)).rows);
        } catch (err) {
          issues.push({ field: "buildings", message: asAppError(err).message });
        }
    }
    if (!parsed.success || issues.length) {
      state.errors = fieldErrors(issues, form.staff.filled, form.served.filled);
      if (records?.length) state.rowErrors = (await buildReport(records, null)).report.errors as RowError[];
      return show(400);
    }
    try {
      // Counted with the request it lets through: refused and failed ones cost nothing.
      const req = await runCommand(publicActor, async (c) => {
        await spendBudget("connect", ctx.ip, c.transaction);
        return connectionRequestSubmitter({ ctx: c, input: parsed.data, buildingRecords: records });
      });
      setFlash(ctx, {
        kind: "ok",
        text: `Заявка № ${req.id} принята${req.buildings.length ? `, квартир в списке: ${req.buildings.length}` : ""}. Подтверждение отправлено на ${req.requesterEmail}.`,
      });
      ctx.redirect("/connect/sent");
    } catch (err) {
      const e = asAppError(err);
      const details = e.details as { issues?: Issue[]; errors?: RowError[] } | undefined;
      if (e.id === "validation_failed") state.errors = fieldErrors(details?.issues ?? [], form.staff.filled, form.served.filled);
      else if (e.id === "import_invalid") {
        state.rowErrors = details?.errors ?? [];
        state.errors = { buildings: e.message };
      } else state.message = e.message;
      show(e.status);
    }
  });

  // ---- invitations: the link from the e-mail (src/onboarding/invitations.ts invitationUrl) ----
  r.get("/invite/:token", async (ctx) => {
    const token = ctx.params.token!;
    if (!tokenRe.test(token)) throw notFound();
    const { user } = await runCommand(publicActor, (c) => findInvitation(c, token));
    page(ctx, { title: "Приглашение", page: "invite", body: invitePage(token, publicCsrf(ctx), presentInvitee(user)) });
  });

  r.post("/invite/:token", async (ctx) => {
    const token = ctx.params.token!;
    if (!tokenRe.test(token)) throw notFound();
    const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
    checkPublicCsrf(ctx, body._pcsrf);
    const f = z.object({ password: z.string().max(1000).default(""), repeat: z.string().max(1000).default("") }).parse(body);
    const { user } = await runCommand(publicActor, (c) => findInvitation(c, token));
    let error: string | null = null;
    if (f.password.length < passwordRules.min || f.password.length > passwordRules.max) error = `Пароль должен содержать от ${passwordRules.min} до ${passwordRules.max} символов.`;
    else if (f.password !== f.repeat) error = "Пароли не совпадают. Введите один и тот же пароль дважды.";
    if (error) {
      ctx.status = 400;
      page(ctx, { title: "Приглашение", page: "invite", body: invitePage(token, publicCsrf(ctx), presentInvitee(user), error) });
      ctx.status = 400;
      return;
    }
    const done = await runCommand(publicActor, (c) => onboardingInvitationAccepter({ ctx: c, token, password: f.password }));
    setFlash(ctx, { kind: "ok", text: `Пароль задан. Войдите с логином ${done.login} и новым паролем.` });
    ctx.redirect(`/login?login=${encodeURIComponent(done.login)}`);
  });
  return r;
}
