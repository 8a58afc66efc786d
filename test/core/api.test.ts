// The REST API over the core: authentication, CSRF, error shape, scoping denials, files.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { startTestApp, client, loginAs, type Client } from "../support/app.ts";
import { act, actorOf, createTicket, makeBuilding, makeOrg, makeUser, makeWorld, PASSWORD, PNG, PDF, uid, type World } from "../support/factories.ts";
import type { Platform } from "../../src/server.ts";
import { Attachment, Ticket, TicketHistory } from "../../src/models/Ticket.ts";
import { config } from "../../src/config.ts";

let db: TestDb;
let app: Platform;
let w: World;
let ops: Client, uo: Client, po: Client, otherUo: Client, otherPo: Client;
beforeAll(async () => {
  db = await setupTestDb();
  app = await startTestApp();
  w = await makeWorld();
  ops = await loginAs(app.url, w.users.operator);
  uo = await loginAs(app.url, w.users.uo);
  po = await loginAs(app.url, w.users.contractor);
  otherUo = await loginAs(app.url, await makeUser("uo", await makeOrg("management_company")));
  otherPo = await loginAs(app.url, await makeUser("contractor", await makeOrg("contractor")));
});
afterAll(async () => {
  await app.stop();
  await db.close();
});

const newTicket = (c: Client, extra: Record<string, unknown> = {}) =>
  c.post("/api/tickets", { categoryId: 8, description: "Течёт кран", buildingId: w.building.id, residentId: w.resident.id, channel: "phone", ...extra });

describe("health and errors", () => {
  it("/healthz reports the database and migrations", async () => {
    const r = await client(app.url).get("/healthz");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: "ok", checks: { database: "ok", migrations: "ok" } });
  });

  it("answers with a stable id and a Russian message", async () => {
    const anon = client(app.url);
    const r = await anon.get("/api/tickets");
    expect(r.status).toBe(401);
    expect(r.body.error.id).toBe("unauthenticated");
    expect(r.body.error.message).toMatch(/[а-я]/);
    expect((await ops.get("/api/no-such-route")).body.error.id).toBe("route_not_found");
  });

  it("malformed JSON and wrong types are refused, nothing is written", async () => {
    const before = await Ticket.count({ where: { buildingId: w.building.id } });
    const bad = await ops.request("POST", "/api/tickets", "{ not json");
    expect([bad.status, bad.body.error.id]).toEqual([400, "malformed_json"]);
    const wrong = await ops.post("/api/tickets", { categoryId: "кран", description: 5 });
    expect([wrong.status, wrong.body.error.id]).toEqual([400, "validation_failed"]);
    expect(wrong.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual(expect.arrayContaining(["categoryId", "description"]));
    const unknownField = await ops.post("/api/tickets", { categoryId: 8, description: "x", buildingId: w.building.id, status: "closed" });
    expect(unknownField.body.error.id).toBe("validation_failed");
    const missingCat = await ops.post("/api/tickets", { categoryId: 999999, description: "x", buildingId: w.building.id });
    expect([missingCat.status, missingCat.body.error.id]).toEqual([404, "category_not_found"]);
    expect(await Ticket.count({ where: { buildingId: w.building.id } })).toBe(before);
  });
});

describe("sessions", () => {
  it("sets an httpOnly SameSite cookie and requires the CSRF token for changes", async () => {
    const c = client(app.url);
    const r = await c.post("/api/auth/login", { login: w.users.operator.login, password: PASSWORD });
    expect(r.headers.get("set-cookie")).toMatch(/httponly/i);
    expect(r.headers.get("set-cookie")).toMatch(/samesite=strict/i);
    const noCsrf = await c.post("/api/tickets", { categoryId: 8, description: "x", buildingId: w.building.id });
    expect([noCsrf.status, noCsrf.body.error.id]).toEqual([403, "csrf_failed"]);
    c.csrf = r.body.csrfToken;
    expect((await newTicket(c)).status).toBe(201);
    await c.post("/api/auth/logout");
    expect((await c.get("/api/auth/me")).status).toBe(401);
  });

  it("throttles failed logins", async () => {
    const u = await makeUser("operator", w.callCentre);
    const c = client(app.url);
    for (let i = 0; i < config().auth.maxFailedLogins; i++)
      expect((await c.post("/api/auth/login", { login: u.login, password: "wrong-password" })).body.error.id).toBe("invalid_credentials");
    const locked = await c.post("/api/auth/login", { login: u.login, password: PASSWORD });
    expect([locked.status, locked.body.error.id]).toEqual([429, "login_throttled"]);
  });

  it("a disabled user's session stops working", async () => {
    const u = await makeUser("uo", w.uo);
    const c = await loginAs(app.url, u);
    expect((await c.get("/api/tickets")).status).toBe(200);
    await u.update({ active: false });
    expect((await c.get("/api/tickets")).status).toBe(401);
  });

  it("API tokens authenticate integrations without CSRF", async () => {
    const admin = await loginAs(app.url, w.users.admin);
    const t = await admin.post("/api/tokens", { userId: w.users.operator.id, name: "интеграция" });
    expect(t.status).toBe(201);
    const r = await fetch(`${app.url}/api/tickets`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.body.token}`, "content-type": "application/json" },
      body: JSON.stringify({ categoryId: 8, description: "через API", buildingId: w.building.id, channel: "api" }),
    });
    expect(r.status).toBe(201);
    expect((await fetch(`${app.url}/api/tickets`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
  });

  it("an API token stops working when its user's organisation is switched off, as a session does", async () => {
    const org = await makeOrg("contractor");
    const user = await makeUser("contractor", org);
    const admin = await loginAs(app.url, w.users.admin);
    const { token } = (await admin.post("/api/tokens", { userId: user.id, name: "подрядчик" })).body;
    const list = () => fetch(`${app.url}/api/tickets`, { headers: { authorization: `Bearer ${token}` } });
    expect((await list()).status).toBe(200);
    await org.update({ active: false });
    const r = await list();
    expect(r.status).toBe(401);
    expect((await r.json()).error.id).toBe("unauthenticated");
  });
});

describe("scoping", () => {
  it("a УО sees its buildings' tickets only; another УО gets 404 by id and an empty list", async () => {
    const created = await newTicket(ops);
    const id = created.body.id;
    expect((await uo.get(`/api/tickets/${id}`)).status).toBe(200);
    const foreign = await otherUo.get(`/api/tickets/${id}`);
    expect([foreign.status, foreign.body.error.id]).toEqual([404, "ticket_not_found"]);
    expect((await otherUo.get(`/api/tickets?perPage=100`)).body.items.map((t: { id: number }) => t.id)).not.toContain(id);
    const act1 = await otherUo.post(`/api/tickets/${id}/actions/assign`, { executorOrgId: w.contractor.id });
    expect(act1.status).toBe(404);
    expect((await uo.get(`/api/tickets?perPage=100`)).body.items.map((t: { id: number }) => t.id)).toContain(id);
  });

  it("a contractor sees only what is assigned to it, with the resident's phone", async () => {
    const id = (await newTicket(ops)).body.id;
    expect((await po.get(`/api/tickets/${id}`)).status).toBe(404);
    const r = await uo.post(`/api/tickets/${id}/actions/assign`, { executorOrgId: w.contractor.id });
    expect(r.status).toBe(200);
    const card = await po.get(`/api/tickets/${id}`);
    expect(card.status).toBe(200);
    expect(card.body.contact.phone).toBe(w.resident.phone);
    expect(card.body.actions.map((a: { action: string }) => a.action)).toEqual(["accept", "decline"]);
    expect((await otherPo.get(`/api/tickets/${id}`)).status).toBe(404);
    const agency = await loginAs(app.url, w.users.agency);
    const seen = await agency.get(`/api/tickets/${id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.contact).toBeNull(); // statistics role: no personal data
  });

  it("offers the legal next actions per role and refuses the rest with 403/409", async () => {
    const id = (await newTicket(ops)).body.id;
    const card = await uo.get(`/api/tickets/${id}`);
    expect(card.body.actions.map((a: { action: string }) => a.action).sort()).toEqual(
      ["assign", "change_type", "extend", "postpone", "reject", "set_publishable"].sort(),
    );
    expect((await ops.post(`/api/tickets/${id}/actions/assign`, { executorOrgId: w.contractor.id })).status).toBe(403);
    const wrongState = await uo.post(`/api/tickets/${id}/actions/verify`, {});
    expect([wrongState.status, wrongState.body.error.id]).toEqual([409, "transition_not_allowed"]);
    const stale = await uo.post(`/api/tickets/${id}/actions/assign`, { executorOrgId: w.contractor.id, expectedVersion: 0 });
    expect([stale.status, stale.body.error.id]).toEqual([409, "ticket_changed"]);
    expect(stale.body.error.message).toMatch(/Система|маршрутизация|изменена/);
  });

  it("filters and paginates", async () => {
    for (let i = 0; i < 3; i++) await newTicket(ops, { description: `Фильтр-${uid()}` });
    const page = await uo.get(`/api/tickets?status=routed&buildingId=${w.building.id}&perPage=2&page=1&sort=priority`);
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBe(2);
    expect(page.body.total).toBeGreaterThanOrEqual(3);
    const bad = await uo.get(`/api/tickets?status=flying`);
    expect(bad.body.error.id).toBe("validation_failed");
    const inverted = await uo.get(`/api/tickets?from=2026-12-01&to=2026-01-01`);
    expect(inverted.body.error.id).toBe("validation_failed");
  });
});

describe("list for everyone else (one statement: ids, capped count, rows)", () => {
  const ids = (r: { body: { items: Array<{ id: number }> } }) => r.body.items.map((t) => t.id);

  it("every sort pages exactly as one ordered query; the text search finds words and number digits", async () => {
    const tag = `Поиск${uid()}`;
    const made: Array<{ id: number; number: string }> = [];
    for (let i = 0; i < 7; i++) made.push((await newTicket(ops, { description: `Течёт ${tag} в подвале, ${i}` })).body);
    await db.sequelize.query(
      `UPDATE tickets SET emergency = (id % 3 = 0), deadline_at = now() + (id % 4) * interval '1 hour', updated_at = now() - (id % 2) * interval '1 minute' WHERE id = ANY($1::int[])`,
      { bind: [made.map((t) => t.id)] },
    );
    const tier = `(CASE WHEN status <> 'closed' AND emergency THEN 0 WHEN status <> 'closed' THEN 1 ELSE 2 END)`;
    const orders = { created: "created_at DESC", deadline: "deadline_at ASC", updated: "updated_at DESC", priority: `${tier} ASC, deadline_at ASC` };
    for (const [sort, order] of Object.entries(orders)) {
      const [expected] = (await db.sequelize.query(`SELECT id FROM tickets WHERE description LIKE $1 ORDER BY ${order}, id DESC`, { bind: [`%${tag}%`] })) as [Array<{ id: number }>, unknown];
      const got: number[] = [];
      for (let page = 1; page <= 3; page++) {
        const r = await ops.get(`/api/tickets?q=${encodeURIComponent(tag.toLowerCase())}&sort=${sort}&perPage=3&page=${page}`);
        expect([r.status, r.body.total, r.body.totalExact]).toEqual([200, 7, true]);
        got.push(...ids(r));
      }
      expect(got, sort).toEqual(expected.map((r) => r.id));
    }
    expect(ids(await ops.get(`/api/tickets?q=${encodeURIComponent(made[3]!.number)}`))).toEqual([made[3]!.id]);
    // another УО sees none of them; search characters are only text
    expect((await otherUo.get(`/api/tickets?q=${encodeURIComponent(tag)}`)).body).toMatchObject({ items: [], total: 0 });
    for (const q of ["'$1:x?", "%", "_", "\\", "' OR 1=1 --", `${tag}%`]) {
      const r = await ops.get(`/api/tickets?q=${encodeURIComponent(q)}`);
      expect([r.status, r.body.items], q).toEqual([200, []]);
    }
  });
});

describe("list order for a УО (its buildings or its own work)", () => {
  it("every sort pages exactly as one ordered query over uo_id = X OR executor_org_id = X", async () => {
    const org = await makeOrg("management_company");
    const { building } = await makeBuilding(org, 0);
    const mine = await loginAs(app.url, await makeUser("uo", org));
    const ids: number[] = [];
    for (let i = 0; i < 9; i++) ids.push((await createTicket(actorOf(w.users.operator), { buildingId: building.id, description: `Своя ${i}` })).id);
    for (let i = 0; i < 6; i++) ids.push((await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, description: `Чужой дом ${i}` })).id);
    // Six tickets of another УО's building are executed by this one; times collide on purpose.
    await db.sequelize.query(
      `UPDATE tickets SET executor_org_id = CASE WHEN building_id = $2 THEN $1 ELSE executor_org_id END,
              status = CASE WHEN id % 3 = 0 THEN 'closed' ELSE status END,
              emergency = (id % 4 = 0),
              deadline_at = now() + (id % 5) * interval '1 hour',
              updated_at = now() - (id % 4) * interval '1 minute'
        WHERE id = ANY($3::int[])`,
      { bind: [org.id, w.building.id, ids] },
    );
    const tier = `(CASE WHEN status <> 'closed' AND emergency THEN 0 WHEN status <> 'closed' THEN 1 ELSE 2 END)`;
    const orders = { created: "created_at DESC", deadline: "deadline_at ASC", updated: "updated_at DESC", priority: `${tier} ASC, deadline_at ASC` };
    for (const [sort, order] of Object.entries(orders)) {
      const [expected] = (await db.sequelize.query(`SELECT id FROM tickets WHERE uo_id = $1 OR executor_org_id = $1 ORDER BY ${order}, id DESC`, { bind: [org.id] })) as [Array<{ id: number }>, unknown];
      const got: number[] = [];
      for (let page = 1; page <= 6; page++) got.push(...(await mine.get(`/api/tickets?sort=${sort}&perPage=3&page=${page}`)).body.items.map((t: { id: number }) => t.id));
      expect(got, sort).toEqual(expected.map((r) => r.id));
      expect(got).toHaveLength(15);
    }
  });
});

describe("Idempotency-Key on creates", () => {
  const count = () => Ticket.count({ where: { buildingId: w.building.id } });
  const withKey = (c: Client, key: string, extra: Record<string, unknown> = {}) =>
    c.request("POST", "/api/tickets", { categoryId: 8, description: "Течёт кран (повтор)", buildingId: w.building.id, residentId: w.resident.id, channel: "phone", ...extra }, { "idempotency-key": key });

  it("the same request with the same key makes one ticket; the repeat gets that ticket back", async () => {
    const before = await count();
    const a = await withKey(ops, "retry-1");
    const b = await withKey(ops, "retry-1");
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    expect(b.body.number).toBe(a.body.number);
    expect(a.headers.get("idempotent-replayed")).toBeNull();
    expect(b.headers.get("idempotent-replayed")).toBe("true");
    expect(await count()).toBe(before + 1);
    expect(await TicketHistory.count({ where: { ticketId: a.body.id, action: "create" } })).toBe(1);
  });

  it("requests racing with one key make one ticket, and every one of them gets it", async () => {
    const before = await count();
    const all = await Promise.all(Array.from({ length: 6 }, () => withKey(ops, "race-1")));
    expect(all.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(new Set(all.map((r) => r.body.id)).size).toBe(1);
    expect(await count()).toBe(before + 1);
  });

  it("a key reused for another request, or malformed, is refused and nothing is written", async () => {
    await withKey(ops, "used-1");
    const before = await count();
    const other = await withKey(ops, "used-1", { description: "Совсем другая заявка" });
    expect(other.status).toBe(422);
    expect(other.body.error.id).toBe("idempotency_key_reused");
    expect(other.body.error.message).toMatch(/ключ/);
    for (const bad of ["", "x".repeat(201), "cl\u00e9", "a b"]) {
      const r = await withKey(ops, bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.id).toBe("idempotency_key_invalid");
    }
    expect(await count()).toBe(before);
  });

  it("keys are per user: another operator's same key makes its own ticket", async () => {
    const mate = await loginAs(app.url, await makeUser("operator", w.callCentre));
    const a = await withKey(ops, "shared-1");
    const b = await withKey(mate, "shared-1");
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
  });
});

describe("reference data", () => {
  it("a category switched off or back on by the administrator applies to the next create at once", async () => {
    const admin = await loginAs(app.url, w.users.admin);
    expect((await newTicket(ops)).status).toBe(201);
    expect((await admin.request("PATCH", "/api/categories/8", { active: false })).status).toBe(200);
    const off = await newTicket(ops);
    expect(off.status).toBe(404);
    expect(off.body.error.id).toBe("category_not_found");
    expect((await admin.request("PATCH", "/api/categories/8", { active: true })).status).toBe(200);
    expect((await newTicket(ops)).status).toBe(201);
  });
});

describe("attachments", () => {
  const upload = (c: Client, id: number, data: Buffer, name: string, kind = "photo") => {
    const fd = new FormData();
    fd.set("kind", kind);
    fd.set("file", new Blob([new Uint8Array(data)]), name);
    return c.request("POST", `/api/tickets/${id}/attachments`, fd);
  };
  const fileCount = () => {
    const dir = path.join(config().dataDir, "uploads");
    if (!existsSync(dir)) return 0;
    return readdirSync(dir, { recursive: true }).filter((f) => String(f).includes(".")).length;
  };

  it("stores a real image, serves it only to those who see the ticket", async () => {
    const id = (await newTicket(ops)).body.id;
    const r = await upload(ops, id, PNG, "кран.png");
    expect(r.status).toBe(201);
    expect(r.body.mime).toBe("image/png");
    const url = r.body.url;
    const got = await fetch(app.url + url, { headers: { cookie: uo.cookie! } });
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("image/png");
    expect((await otherUo.get(url)).status).toBe(404);
    expect((await client(app.url).get(url)).status).toBe(404);
  });

  it("refuses disguised and oversized files, leaving no row and no file", async () => {
    const id = (await newTicket(ops)).body.id;
    const rows = await Attachment.count({ where: { ticketId: id } });
    const files = fileCount();
    const disguised = await upload(ops, id, Buffer.from("<script>alert(1)</script>".repeat(20)), "photo.jpg");
    expect([disguised.status, disguised.body.error.id]).toEqual([415, "file_type_not_allowed"]);
    const exe = await upload(ops, id, Buffer.concat([Buffer.from("MZ"), Buffer.alloc(2000)]), "scan.pdf");
    expect(exe.status).toBe(415);
    const big = await upload(ops, id, Buffer.concat([PNG, Buffer.alloc(config().uploads.maxBytes)]), "big.png");
    expect([big.status, big.body.error.id]).toEqual([413, "file_too_large"]);
    expect(await Attachment.count({ where: { ticketId: id } })).toBe(rows);
    expect(fileCount()).toBe(files);
  });

  it("only the executor attaches the work order, and reports with it", async () => {
    const id = (await newTicket(ops)).body.id;
    expect((await upload(ops, id, PDF, "naryad.pdf", "work_order")).status).toBe(403);
    await uo.post(`/api/tickets/${id}/actions/assign`, { executorOrgId: w.contractor.id });
    await po.post(`/api/tickets/${id}/actions/accept`, {});
    const wo = await upload(po, id, PDF, "naryad.pdf", "work_order");
    expect(wo.status).toBe(201);
    const r = await po.post(`/api/tickets/${id}/actions/report`, { worksDone: "Заменён смеситель", workOrderAttachmentId: wo.body.id });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("reported");
    expect(r.body.history.map((h: { action: string }) => h.action)).toEqual(["create", "route", "assign", "accept", "attachment_added", "report"]);
  });
});

describe("live push", () => {
  it("a change reaches the УО's open stream", async () => {
    const res = await fetch(`${app.url}/api/stream`, { headers: { cookie: uo.cookie! } });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = "";
    const until = async (pred: (s: string) => boolean) => {
      while (!pred(buf)) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value);
      }
    };
    await until((s) => s.includes("event: hello"));
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id });
    await until((s) => s.includes(`"number":"${t.number}"`));
    expect(buf).toContain("event: ticket.changed");
    await reader.cancel();
  });
});

describe("history is complete", () => {
  it("records who, when, from, to and what changed", async () => {
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id });
    await act(actorOf(w.users.uo), t.id, "assign", { executorOrgId: w.contractor.id, comment: "Срочно" });
    const h = await TicketHistory.findOne({ where: { ticketId: t.id, action: "assign" } });
    expect(h!.actorUserId).toBe(w.users.uo.id);
    expect(h!.actorOrgId).toBe(w.uo.id);
    expect([h!.fromStatus, h!.toStatus]).toEqual(["routed", "assigned"]);
    expect(h!.changes.executorOrgId).toEqual({ from: null, to: w.contractor.id });
    expect(h!.changes.comment).toEqual({ from: null, to: "Срочно" });
  });
});
