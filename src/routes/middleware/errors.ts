// One place that turns errors into answers: { error: { id, message, details } }.
import type { Context, Next } from "koa";
import { ZodError } from "zod";
import { AppError, errors } from "../../errors.ts";
import { logger } from "../../logger.ts";
import { zodIssues } from "./validate.ts";

export async function errorHandler(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined && ctx.path.startsWith("/api/")) throw errors.notFound("route", "route_not_found");
  } catch (err) {
    let e: AppError;
    if (err instanceof AppError) e = err;
    else if (err instanceof ZodError) e = errors.validationFailed(zodIssues(err));
    else if (isBodyParseError(err)) e = errors.malformedJson();
    else if ((err as { status?: number }).status === 413 || (err as { code?: string }).code === "LIMIT_FILE_SIZE")
      e = errors.payloadTooLarge(Number((err as { limit?: number }).limit) || 0);
    else if (isMultipartError(err)) e = errors.badRequest("Форма с файлом повреждена или оборвалась: отправьте её ещё раз.", "malformed_multipart");
    else if ((err as { code?: string }).code === "LIMIT_UNEXPECTED_FILE" || (err as { code?: string }).code === "LIMIT_FILE_COUNT")
      e = errors.badRequest("Слишком много файлов или неожиданное поле файла.", "unexpected_file");
    else {
      logger.error({ err, path: ctx.path, method: ctx.method }, "unhandled error");
      e = new AppError(500, "internal_error", "Внутренняя ошибка сервера. Попробуйте ещё раз; если повторится — сообщите в техподдержку.");
    }
    ctx.status = e.status;
    ctx.body = { error: { id: e.id, message: e.message, ...(e.details ? { details: e.details } : {}) } };
    ctx.state.error = e;
    // A browser's form post outside the JSON API (e.g. a stale CSRF token) gets a readable page.
    if (!ctx.path.startsWith("/api/") && ctx.accepts("json", "html") === "html") {
      const text = e.message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      ctx.type = "html";
      ctx.body = `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Ошибка</title><link rel="stylesheet" href="/static/panel.css"></head><body><main><h1>Не удалось выполнить</h1><p class="flash error" role="alert">${text}</p><p><a href="/">На главную</a></p></main></body></html>`;
    }
  }
}

/** busboy/multer on a truncated body or a multipart type without a boundary. */
function isMultipartError(err: unknown): boolean {
  return /^(Unexpected end of form|Multipart: Boundary not found|Malformed part header|Unexpected end of multipart data)/.test((err as Error)?.message ?? "");
}

function isBodyParseError(err: unknown): boolean {
  const e = err as { status?: number; type?: string; name?: string; message?: string };
  // "forbidden prototype property": a body with a __proto__ key (co-body refuses it)
  return e?.status === 400 && (e.type === "entity.parse.failed" || /JSON|parse|prototype/i.test(e.message ?? ""));
}
