// A small browser-like client for the panel's HTML forms: keeps cookies, reads hidden tokens.
export interface Page {
  status: number;
  url: string;
  location: string | null;
  text: string;
  headers: Headers;
}

export class FormClient {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async request(method: string, path: string, body?: URLSearchParams | FormData, headers: Record<string, string> = {}): Promise<Page> {
    const res = await fetch(this.base + path, { method, body, redirect: "manual", headers: { cookie: this.cookieHeader(), ...headers } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      const k = pair!.slice(0, i);
      const v = pair!.slice(i + 1);
      if (v === "" || /expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
    return { status: res.status, url: path, location: res.headers.get("location"), text: await res.text(), headers: res.headers };
  }

  get(path: string) {
    return this.request("GET", path);
  }

  /** Posts a form; follows one redirect like a browser. */
  async post(path: string, fields: Record<string, string>, follow = true): Promise<Page> {
    const res = await this.request("POST", path, new URLSearchParams(fields));
    if (follow && res.location && res.status >= 300 && res.status < 400) return this.get(res.location);
    return res;
  }

  async postMultipart(path: string, form: FormData, csrf: string): Promise<Page> {
    const res = await this.request("POST", path, form, { "x-csrf-token": csrf, "x-requested-with": "panel" });
    if (res.location && res.status >= 300 && res.status < 400) return this.get(res.location);
    return res;
  }
}

export const hidden = (html: string, name: string): string => {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m) throw new Error(`no hidden field ${name}`);
  return m[1]!;
};

export async function panelLogin(base: string, login: string, password: string): Promise<{ c: FormClient; csrf: string; page: Page }> {
  const c = new FormClient(base);
  const form = await c.get("/login");
  const page = await c.post("/login", { login, password, _pcsrf: hidden(form.text, "_pcsrf") });
  let landing = page;
  while (landing.location) landing = await c.get(landing.location);
  const csrf = /<meta name="csrf-token" content="([^"]*)"/.exec(landing.text)?.[1] ?? "";
  return { c, csrf, page: landing };
}
