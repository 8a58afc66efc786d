// Errors on pages become Russian messages: a redirect back with a flash for forms, a page
// otherwise, JSON for the panel script's own requests.
import type { Context, Next } from "koa";
import { asAppError, messageOf } from "./guard.ts";
import { errorPage, setFlash } from "./layout.ts";

/** Errors on pages become Russian messages: a redirect back with a flash for forms, a page otherwise. */
export async function panelErrors(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (err) {
    const e = asAppError(err);
    const wantsJson = ctx.get("x-requested-with") === "panel";
    if (e.id === "unauthenticated") {
      setFlash(ctx, { kind: "error", text: "Сеанс завершён или истёк. Войдите снова; несохранённые данные формы нужно ввести заново." });
      if (wantsJson) {
        ctx.status = 401;
        ctx.body = { error: { id: e.id, message: e.message }, redirect: "/login" };
      } else ctx.redirect("/login");
      return;
    }
    if (wantsJson) {
      ctx.status = e.status;
      ctx.body = { error: { id: e.id, message: messageOf(e) } };
      return;
    }
    const back = (ctx.state as { back?: string }).back;
    if (ctx.method === "POST" && back) {
      setFlash(ctx, { kind: "error", text: messageOf(e) });
      ctx.redirect(back);
      return;
    }
    errorPage(ctx, e.status, messageOf(e));
  }
}

