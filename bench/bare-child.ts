// The baseline: a bare Koa handler that does one INSERT per request on the same database,
// with the same driver and pool size as the app. Prints "READY <url>".
import http from "node:http";
import type { AddressInfo } from "node:net";
import Koa from "koa";
import { bodyParser } from "@koa/bodyparser";
import pg from "pg";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX ?? 20) });
await pool.query("CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
const app = new Koa();
app.use(bodyParser());
app.use(async (ctx) => {
  if (ctx.method !== "POST") {
    ctx.status = 404;
    return;
  }
  const r = await pool.query("INSERT INTO bench_bare (payload) VALUES ($1::jsonb) RETURNING id", [JSON.stringify(ctx.request.body ?? {})]);
  ctx.body = { id: r.rows[0].id };
});
const server = http.createServer(app.callback());
server.keepAliveTimeout = 65_000;
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
const stop = async () => {
  server.close();
  server.closeAllConnections();
  await pool.end();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
