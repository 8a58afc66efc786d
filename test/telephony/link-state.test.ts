// The AMI link's state reaches the people at the phones: recorded by the holder when the link
// comes up, goes down or is refused at login, pushed to operators, admins and oversight, and read
// by the panel (GET /api/telephony/link); a holder that stopped confirming shows as unknown.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { User } from "../../src/models/User.ts";
import type { PushMessage } from "../../src/push/publish.ts";
import { pbxLinkOf } from "../../src/commands/pbxLinkRecorder.ts";
import { presentPbxLink } from "../../src/presenters/pbxLink.ts";
import { client, loginAs, type Client } from "../support/app.ts";
import { AmiTestServer } from "../support/amiServer.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { makeWorld, type World } from "../support/factories.ts";
import { linkReady, startTelephonyApp, waitFor, type TelephonyApp } from "./support.ts";

let db: TestDb;
let ami: AmiTestServer;
let t: TelephonyApp;
let w: World;
let operator: Client;
let admin: Client;
const pushes: PushMessage[] = [];
const started: Array<{ stop(): Promise<void> }> = [];

const row = async (pbx: string) =>
  (await db.sequelize.query<{ state: string; since: Date; last_error: string | null }>("SELECT state, since, last_error FROM pbx_links WHERE pbx = $1", { bind: [pbx], type: "SELECT" as never }))[0];
const linkPushes = () => pushes.filter((p) => p.event === "pbx.link").map((p) => p.data as { state: string; message: string | null });

beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
  ami = new AmiTestServer();
  await ami.start();
  t = await startTelephonyApp(ami);
  t.app.hub.onMessage((m) => pushes.push(m));
  await linkReady(t);
  operator = await loginAs(t.app.url, w.users.operator);
  admin = await loginAs(t.app.url, w.users.admin);
});

afterAll(async () => {
  for (const s of started.reverse()) await s.stop();
  await t?.app.stop();
  await ami?.stop();
  await db?.close();
});

describe("the PBX link's state", () => {
  it("is recorded as up once the link is ready; only those who work with calls may read it", async () => {
    const pbx = `127.0.0.1:${ami.port}`;
    await waitFor(async () => (await row(pbx))?.state === "ready", "link recorded as ready");
    const res = await operator.get("/api/telephony/link");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ configured: true, state: "ready", message: null });
    expect(res.body).not.toHaveProperty("lastError");
    const oversight = await loginAs(t.app.url, w.users.oversight);
    expect((await oversight.get("/api/telephony/link")).body.state).toBe("ready");
    for (const u of [w.users.uo, w.users.contractor]) {
      const denied = await (await loginAs(t.app.url, u)).get("/api/telephony/link");
      expect(denied.status).toBe(403);
      expect(denied.body.error.id).toBe("forbidden");
    }
    expect((await client(t.app.url).get("/api/telephony/link")).status).toBe(401);
  });

  it("a PBX that goes away: down since then, pushed to the phones; back: up again, pushed", async () => {
    const pbx = `127.0.0.1:${ami.port}`;
    const port = ami.port;
    const before = linkPushes().length;
    const cutAt = Date.now();
    await ami.stop();
    await waitFor(async () => (await row(pbx))?.state === "down", "link recorded as down");
    const down = (await row(pbx))!;
    expect(down.since.getTime()).toBeGreaterThanOrEqual(cutAt - 1000);
    expect(down.last_error).toBe("connection closed");
    const seen = await operator.get("/api/telephony/link");
    expect(seen.body).toMatchObject({ state: "down", since: down.since.toISOString() });
    expect(seen.body.message).toContain("Нет связи с АТС");
    expect(seen.body.message).toContain("карточки входящих звонков не появятся");
    expect((await admin.get("/api/telephony/link")).body.lastError).toBe("connection closed");
    // Repeated failed reconnects record nothing new: one push for the change, not one per attempt.
    await new Promise((r) => setTimeout(r, 700));
    expect(linkPushes().slice(before)).toEqual([expect.objectContaining({ state: "down" })]);
    const downPush = pushes.filter((p) => p.event === "pbx.link").at(-1)!;
    expect(downPush.audience).toEqual({ roles: ["operator", "admin", "oversight"] });
    expect(downPush.data).not.toHaveProperty("lastError");
    expect((await row(pbx))!.since).toEqual(down.since);

    ami = new AmiTestServer();
    await ami.start(port);
    await linkReady(t, 2);
    await waitFor(async () => (await row(pbx))?.state === "ready", "link recorded as ready again");
    expect(linkPushes().slice(before).map((p) => p.state)).toEqual(["down", "ready"]);
    const back = await operator.get("/api/telephony/link");
    expect(back.body).toMatchObject({ state: "ready", message: null });
    expect(new Date(back.body.since).getTime()).toBeGreaterThan(down.since.getTime());
    expect((await row(pbx))!.last_error).toBeNull();
  });

  it("a link nobody has confirmed for over two minutes is shown as unknown", async () => {
    const pbx = `127.0.0.1:${ami.port}`;
    await db.sequelize.query("UPDATE pbx_links SET checked_at = now() - interval '3 minutes' WHERE pbx = $1", { bind: [pbx] });
    const res = await operator.get("/api/telephony/link");
    expect(res.body.state).toBe("unknown");
    expect(res.body.message).toContain("Связь с АТС не подтверждена");
    await db.sequelize.query("UPDATE pbx_links SET checked_at = now() WHERE pbx = $1", { bind: [pbx] });
    expect((await operator.get("/api/telephony/link")).body.state).toBe("ready");
  });

  it("a refused login is recorded as such, not as a network failure", async () => {
    const other = new AmiTestServer({ secret: "right" });
    await other.start();
    started.push(other);
    const bad = await startTelephonyApp(other, { AMI_SECRET: "wrong" });
    started.push(bad.app);
    const pbx = `127.0.0.1:${other.port}`;
    await waitFor(async () => (await row(pbx))?.state === "auth_failed", "refused login recorded");
    const view = presentPbxLink(await pbxLinkOf(pbx), { configured: true });
    expect(view.state).toBe("auth_failed");
    expect(view.message).toContain("АТС отклонила вход");
    expect(linkPushes().some((p) => p.state === "auth_failed")).toBe(true);
  });

  it("without telephony configured the state is off and nothing is shown", () => {
    expect(presentPbxLink(null, { configured: false })).toEqual({ configured: false, state: "off", since: null, sinceLocal: null, message: null });
    expect(presentPbxLink(null, { configured: true }).state).toBe("unknown");
  });
});
