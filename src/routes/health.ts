import Router from "@koa/router";
import { sequelize } from "../db/sequelize.ts";
import { pendingMigrations } from "../db/migrator.ts";

/** /healthz: the database answers and every migration is applied. */
export function healthRouter(): Router {
  const r = new Router();
  r.get("/healthz", async (ctx) => {
    const checks: Record<string, string> = {};
    let ok = true;
    try {
      await sequelize().query("SELECT 1");
      checks.database = "ok";
      const pending = await pendingMigrations(sequelize());
      checks.migrations = pending.length ? `pending: ${pending.join(", ")}` : "ok";
      if (pending.length) ok = false;
    } catch (err) {
      ok = false;
      checks.database = `error: ${(err as Error).message}`;
    }
    ctx.status = ok ? 200 : 503;
    ctx.body = { status: ok ? "ok" : "error", checks };
  });
  return r;
}
