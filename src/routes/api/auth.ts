import Router from "@koa/router";
import { z } from "zod";
import { changePassword, login, logout, SESSION_COOKIE, sessionUser } from "../../auth/sessions.ts";
import { config } from "../../config.ts";
import { presentUser } from "../../presenters/directory.ts";
import { requireStaff, type AppState } from "../middleware/auth.ts";
import { parse } from "../middleware/validate.ts";

const loginSchema = z.object({ login: z.string().trim().min(1).max(100), password: z.string().min(1).max(200) }).strict();
const passwordSchema = z.object({ current: z.string().min(1).max(200), next: z.string().min(1).max(200) }).strict();

export function authRouter(): Router {
  const r = new Router({ prefix: "/api/auth" });

  r.post("/login", async (ctx) => {
    const body = parse(loginSchema, ctx.request.body);
    const res = await login(body.login, body.password, ctx.ip);
    ctx.cookies.set(SESSION_COOKIE, res.token, {
      httpOnly: true,
      sameSite: "strict",
      secure: config().http.publicUrl.startsWith("https://"),
      expires: res.session.expiresAt,
      overwrite: true,
    });
    ctx.body = { user: presentUser(res.user), csrfToken: res.session.csrfToken, mustChangePassword: res.user.mustChangePassword };
  });

  r.post("/logout", async (ctx) => {
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (token) await logout(token);
    ctx.cookies.set(SESSION_COOKIE, "", { expires: new Date(0), httpOnly: true, sameSite: "strict" });
    ctx.status = 204;
  });

  r.get("/me", async (ctx) => {
    const a = requireStaff(ctx);
    const state = ctx.state as AppState;
    ctx.body = { user: presentUser(a.user), csrfToken: state.session?.csrfToken ?? null };
  });

  r.post("/password", async (ctx) => {
    const a = requireStaff(ctx);
    const body = parse(passwordSchema, ctx.request.body);
    const token = ctx.cookies.get(SESSION_COOKIE);
    const keep = token ? (await sessionUser(token))?.session.id : undefined;
    await changePassword(a.user, body.current, body.next, keep);
    ctx.status = 204;
  });
  return r;
}
