// Shared pieces of the security suite: the running app's mounted routes, a client per role,
// and the classification of an answer (passed the gate / refused / hidden / crashed).
import type Koa from "koa";
import type Router from "@koa/router";
import { loginAs, client, type Client } from "../support/app.ts";
import type { World } from "../support/factories.ts";

export const ROLES = ["anon", "admin", "operator", "agency", "uo", "contractor", "supplier", "oversight"] as const;
export type Role = (typeof ROLES)[number];
export const STAFF: readonly Role[] = ["admin", "operator", "agency", "uo", "contractor", "supplier", "oversight"];

export interface MountedRoute {
  method: string;
  path: string;
  key: string;
}

/** Every method+path of every @koa/router mounted on the app (HEAD folded into GET). */
export function mountedRoutes(app: Koa): MountedRoute[] {
  const out = new Map<string, MountedRoute>();
  for (const mw of app.middleware as Array<Koa.Middleware & { router?: Router }>) {
    for (const layer of mw.router?.stack ?? []) {
      for (const method of layer.methods) {
        if (method === "HEAD") continue;
        const key = `${method} ${layer.path}`;
        out.set(key, { method, path: String(layer.path), key });
      }
    }
  }
  return [...out.values()];
}

export type Outcome = "ok" | "input" | "unauth" | "login" | "forbidden" | "hidden" | "unavailable" | "crash";

/** What an answer means for access control. */
export function classify(status: number, location: string | null): Outcome {
  if (status === 503) return "unavailable";
  if (status >= 500) return "crash";
  if (status === 401) return "unauth";
  if (status === 403) return "forbidden";
  if ((status === 302 || status === 303) && location && /\/login\b/.test(location)) return "login";
  if (status === 404) return "hidden";
  if (status >= 400) return "input";
  return "ok";
}

export type Clients = Record<Role, Client>;

export async function clientsFor(url: string, w: World): Promise<Clients> {
  const u = w.users;
  return {
    anon: client(url),
    admin: await loginAs(url, u.admin),
    operator: await loginAs(url, u.operator),
    agency: await loginAs(url, u.agency),
    uo: await loginAs(url, u.uo),
    contractor: await loginAs(url, u.contractor),
    supplier: await loginAs(url, u.supplier),
    oversight: await loginAs(url, u.oversight),
  };
}

/** Fills :params with ids that exist, so a refusal is a refusal and not a missing row. */
export function fillPath(path: string, ids: Record<string, string | number>): string {
  return path.replace(/:([A-Za-z_]+)/g, (_, name: string) => String(ids[name] ?? ids.id ?? 1));
}

/** One request as this client; a streaming answer (SSE) is read only up to its headers. */
export async function probe(c: Client, base: string, method: string, path: string, body?: unknown): Promise<{ status: number; location: string | null; body: unknown }> {
  const h: Record<string, string> = {};
  if (c.cookie) h.cookie = c.cookie;
  if (c.csrf && method !== "GET") h["x-csrf-token"] = c.csrf;
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === "string" ? body : JSON.stringify(body);
    h["content-type"] = "application/json";
  }
  const res = await fetch(base + path, { method, headers: h, body: payload, redirect: "manual", signal: AbortSignal.timeout(15_000) });
  if ((res.headers.get("content-type") ?? "").includes("text/event-stream")) {
    await res.body?.cancel();
    return { status: res.status, location: null, body: "(event stream)" };
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, location: res.headers.get("location"), body: parsed };
}
