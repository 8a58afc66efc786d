// Starts the real platform (Koa on port 0) against the run's database, and a small client.
import { startPlatform, type DoorFactory, type Platform } from "../../src/server.ts";
import { testConfig } from "./db.ts";
import { PASSWORD } from "./factories.ts";
import type { User } from "../../src/models/User.ts";

export async function startTestApp(opts: { doors?: DoorFactory[]; env?: Record<string, string> } = {}): Promise<Platform> {
  return startPlatform({ cfg: testConfig(opts.env), doors: opts.doors ?? [], print: () => {} });
}

export interface Client {
  csrf: string | null;
  cookie: string | null;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  get(path: string): Promise<{ status: number; body: any; headers: Headers }>;
  post(path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }>;
}

export function client(base: string): Client {
  const c: Client = {
    csrf: null,
    cookie: null,
    async request(method, path, body, headers = {}) {
      const h: Record<string, string> = { ...headers };
      if (c.cookie) h.cookie = c.cookie;
      if (c.csrf && method !== "GET") h["x-csrf-token"] = c.csrf;
      let payload: BodyInit | undefined;
      if (body instanceof FormData) payload = body;
      else if (typeof body === "string") {
        payload = body;
        h["content-type"] ??= "application/json";
      } else if (body !== undefined) {
        payload = JSON.stringify(body);
        h["content-type"] = "application/json";
      }
      const res = await fetch(base + path, { method, headers: h, body: payload, redirect: "manual" });
      const setCookie = res.headers.get("set-cookie");
      if (setCookie) c.cookie = setCookie.split(";")[0]!;
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    get: (p) => c.request("GET", p),
    post: (p, b) => c.request("POST", p, b ?? {}),
  };
  return c;
}

export async function loginAs(base: string, user: User, password = PASSWORD): Promise<Client> {
  const c = client(base);
  const r = await c.post("/api/auth/login", { login: user.login, password });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
  c.csrf = r.body.csrfToken;
  return c;
}
