import type { Context, Next } from "koa";

/** Security headers on every answer: no framing, no sniffing, CSP without inline script. */
export async function securityHeaders(ctx: Context, next: Next): Promise<void> {
  await next();
  ctx.set("X-Content-Type-Options", "nosniff");
  ctx.set("X-Frame-Options", "DENY");
  ctx.set("Referrer-Policy", "same-origin");
  if (!ctx.response.get("Content-Security-Policy"))
    ctx.set(
      "Content-Security-Policy",
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    );
}
