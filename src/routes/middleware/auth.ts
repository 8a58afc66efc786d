// Finds the actor: a staff session cookie (with CSRF for state changes) or an API token.
import type { Context, Next } from "koa";
import { SESSION_COOKIE, sessionUser, tokenUser } from "../../auth/sessions.ts";
import { publicActor, userActor, type Actor } from "../../context.ts";
import { errors } from "../../errors.ts";
import type { Session } from "../../models/Session.ts";

export interface AppState {
  actor: Actor;
  session?: Session;
  viaToken?: boolean;
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

export async function authenticate(ctx: Context, next: Next): Promise<void> {
  const state = ctx.state as AppState;
  state.actor = publicActor;
  const auth = ctx.get("authorization");
  if (auth.startsWith("Bearer ")) {
    const user = await tokenUser(auth.slice(7).trim());
    if (!user) throw errors.unauthenticated();
    state.actor = userActor(user);
    state.viaToken = true;
  } else {
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (token) {
      const found = await sessionUser(token);
      if (found) {
        state.actor = userActor(found.user);
        state.session = found.session;
      }
    }
  }
  await next();
}

/** Cookie-authenticated state changes must carry the session's CSRF token. */
export async function csrfGuard(ctx: Context, next: Next): Promise<void> {
  const state = ctx.state as AppState;
  if (!SAFE.has(ctx.method) && state.session) {
    const sent = ctx.get("x-csrf-token") || (ctx.request as { body?: Record<string, unknown> }).body?._csrf;
    if (sent !== state.session.csrfToken) throw errors.csrf();
  }
  await next();
}

export function requireStaff(ctx: Context): Extract<Actor, { kind: "user" }> {
  const a = (ctx.state as AppState).actor;
  if (a.kind !== "user") throw errors.unauthenticated();
  return a;
}
