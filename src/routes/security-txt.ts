// The published security contact (regulation §3.1.1: errors and vulnerabilities are reported to
// the tech support of ГАУ РК «Центр информационных технологий»), as RFC 9116 security.txt and as
// JSON for the panel and other clients.
import Router from "@koa/router";
import type { Context } from "koa";
import { config } from "../config.ts";

export const SECURITY_CONTACT = {
  organisation: "ГАУ РК «Центр информационных технологий» (служба технической поддержки)",
  email: "help@rkomi.ru",
  phones: [
    { number: "(8212) 301-201", tel: "+78212301201", note: null },
    { number: "8-800-301-2001", tel: "+78003012001", note: "звонок бесплатный" },
  ],
  basis: "Регламент работы в системе «Открытая Печора», п. 3.1.1",
} as const;

/** RFC 9116 text; Expires is at most a year ahead (recomputed each day, so it never lapses while served). */
export function securityTxt(now = new Date()): string {
  const expires = new Date(Date.UTC(now.getUTCFullYear() + 1, now.getUTCMonth(), now.getUTCDate()));
  const base = config().http.publicUrl.replace(/\/$/, "");
  return [
    `# ${SECURITY_CONTACT.organisation}`,
    `# Об ошибках и уязвимостях системы «Открытая Печора» сообщайте в техподдержку (${SECURITY_CONTACT.basis}).`,
    `Contact: mailto:${SECURITY_CONTACT.email}`,
    ...SECURITY_CONTACT.phones.map((p) => `Contact: tel:${p.tel}`),
    `Expires: ${expires.toISOString().replace(/\.\d{3}Z$/, "Z")}`,
    `Preferred-Languages: ru, en`,
    `Canonical: ${base}/.well-known/security.txt`,
    "",
  ].join("\n");
}

export function securityTxtRouter(): Router {
  const r = new Router();
  const serve = (ctx: Context) => {
    ctx.type = "text/plain; charset=utf-8";
    ctx.set("Cache-Control", "public, max-age=86400");
    ctx.body = securityTxt();
  };
  r.get("/.well-known/security.txt", serve);
  r.get("/security.txt", (ctx) => {
    ctx.status = 301;
    ctx.redirect("/.well-known/security.txt");
  });
  r.get("/api/security-contact", (ctx) => {
    ctx.body = SECURITY_CONTACT;
  });
  return r;
}
