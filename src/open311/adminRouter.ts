// Administration of Open311 clients (staff API, admin only): list, create (the key is shown
// once), switch off.
import Router from "@koa/router";
import { z } from "zod";
import { errors } from "../errors.ts";
import { authorize } from "../policies/index.ts";
import { requireStaff } from "../routes/middleware/auth.ts";
import { parse } from "../routes/middleware/validate.ts";
import { createOpen311Client, listOpen311Clients, setOpen311ClientActive, type Open311Client } from "./clients.ts";

const createSchema = z.object({ name: z.string().trim().min(2, "не короче 2 символов").max(200, "не более 200 символов"), _csrf: z.string().optional() }).strict();
const present = (c: Open311Client) => ({ id: c.id, name: c.name, active: c.active, createdAt: c.created_at.toISOString(), lastUsedAt: c.last_used_at?.toISOString() ?? null });

export function open311AdminRouter(): Router {
  const r = new Router({ prefix: "/api/open311/clients" });
  r.get("/", async (ctx) => {
    authorize(requireStaff(ctx), "open311:manage");
    ctx.body = { items: (await listOpen311Clients()).map(present) };
  });
  r.post("/", async (ctx) => {
    const actor = requireStaff(ctx);
    authorize(actor, "open311:manage");
    const { name } = parse(createSchema, ctx.request.body);
    const { client, apiKey } = await createOpen311Client(name, actor.user.id);
    ctx.status = 201;
    ctx.body = { ...present(client), apiKey };
  });
  r.post("/:id/deactivate", async (ctx) => {
    authorize(requireStaff(ctx), "open311:manage");
    const id = Number(ctx.params.id);
    const c = Number.isInteger(id) && id > 0 ? await setOpen311ClientActive(id, false) : null;
    if (!c) throw errors.notFound("open311_client");
    ctx.body = present(c);
  });
  return r;
}
