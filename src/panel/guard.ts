// Panel helpers: who is signed in, CSRF for forms without a session (login, resident pages),
// and turning a failed command into a Russian message the page shows.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Context } from "koa";
import { ZodError } from "zod";
import type { UserActor } from "../context.ts";
import { AppError, errors } from "../errors.ts";
import { logger } from "../logger.ts";
import type { AppState } from "../routes/middleware/auth.ts";
import { zodIssues } from "../routes/middleware/validate.ts";
import type { StaffRole } from "../models/User.ts";

const PUBLIC_CSRF = "op_pcsrf";

/** The token of the double-submit cookie for forms used without a session. */
export function publicCsrf(ctx: Context): string {
  let t = ctx.cookies.get(PUBLIC_CSRF);
  if (!t || !/^[A-Za-z0-9_-]{32}$/.test(t)) {
    t = randomBytes(24).toString("base64url");
    ctx.cookies.set(PUBLIC_CSRF, t, { httpOnly: true, sameSite: "strict", overwrite: true });
  }
  return t;
}

export function checkPublicCsrf(ctx: Context, sent: unknown): void {
  const c = ctx.cookies.get(PUBLIC_CSRF);
  const s = typeof sent === "string" ? sent : "";
  if (!c || c.length !== s.length || !timingSafeEqual(Buffer.from(c), Buffer.from(s))) throw errors.csrf();
}

/** A signed-in staff member with a browser session, or a redirect to the login page. */
export function staff(ctx: Context, roles?: readonly StaffRole[]): UserActor {
  const state = ctx.state as AppState;
  if (state.actor.kind !== "user" || !state.session) throw errors.unauthenticated();
  if (roles && !roles.includes(state.actor.role)) throw errors.forbidden("Этот раздел недоступен для вашей роли.");
  return state.actor;
}

export function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return errors.validationFailed(zodIssues(err));
  const e = err as { status?: number; code?: string; limit?: number };
  if (e?.status === 413 || e?.code === "LIMIT_FILE_SIZE") return errors.payloadTooLarge(Number(e.limit) || 0);
  if (e?.code === "LIMIT_UNEXPECTED_FILE" || e?.code === "LIMIT_FILE_COUNT") return errors.badRequest("Слишком много файлов.", "unexpected_file");
  logger.error({ err }, "panel: unhandled error");
  return new AppError(500, "internal_error", "Внутренняя ошибка сервера. Попробуйте ещё раз; если повторится — сообщите в техподдержку.");
}

/** A field-level message without the technical field names: "Проверьте данные: причина — обязательно". */
export function messageOf(e: AppError): string {
  const issues = (e.details as { issues?: Array<{ field: string; message: string }> } | undefined)?.issues;
  if (e.id === "validation_failed" && issues?.length) return `Проверьте данные: ${issues.map((i) => i.message).join("; ")}.`;
  return e.message;
}
