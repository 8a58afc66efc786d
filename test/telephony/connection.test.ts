// The AMI connection wrapper against a local server that speaks AMI: login, actions with
// timeouts, a wrong password, Asterisk not running, a dropped link, malformed blocks.
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AmiConnection, AmiError, type AmiBlock } from "../../telephony/amiConnection.ts";
import { AmiTestServer } from "../support/amiServer.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(opts: ConstructorParameters<typeof AmiTestServer>[0] = {}) {
  const s = new AmiTestServer(opts);
  await s.start();
  cleanups.push(() => s.stop());
  return s;
}

function connection(port: number, extra: Partial<ConstructorParameters<typeof AmiConnection>[0]> = {}) {
  const c = new AmiConnection({ host: "127.0.0.1", port, user: "cti", secret: "cti_secret", backoffInitialMs: 20, backoffMaxMs: 200, actionTimeoutMs: 300, loginTimeoutMs: 500, ...extra });
  cleanups.push(() => c.stop());
  return c;
}

const once = <T>(c: AmiConnection, ev: "ready" | "auth_failed" | "down") => new Promise<T>((r) => c.once(ev, ((x: T) => r(x)) as never));

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("AMI connection", () => {
  it("logs in, answers actions and lists, and sends Logoff on stop", async () => {
    const s = await server();
    const c = connection(s.port);
    const ready = once<{ reconnect: boolean }>(c, "ready");
    c.start();
    expect(await ready).toEqual({ reconnect: false });
    expect(await c.action({ action: "Ping" })).toMatchObject({ response: "Success", ping: "Pong" });
    s.liveChannels = ["Channel: SIP/trunk-1\r\nUniqueid: 1.1\r\nLinkedid: 1.1"];
    const list = await c.actionList({ action: "CoreShowChannels" });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ event: "CoreShowChannel", channel: "SIP/trunk-1", linkedid: "1.1" });
    await expect(c.action({ action: "NoSuchThing" })).rejects.toMatchObject({ code: "failed", message: "Invalid/unknown command" });
    await c.stop();
    expect(s.actions.map((a) => a.fields.action)).toEqual(["login", "Ping", "CoreShowChannels", "NoSuchThing", "Logoff"]);
    expect(s.actions[0]!.fields).toMatchObject({ username: "cti", secret: "cti_secret" });
  });

  it("an action the PBX never answers times out; the link is not stuck", async () => {
    const s = await server();
    const c = connection(s.port);
    const ready = once(c, "ready");
    c.start();
    await ready;
    s.ignoreActions.add("status");
    const err = await c.action({ action: "Status" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmiError);
    expect((err as AmiError).code).toBe("timeout");
    expect(await c.action({ action: "Ping" })).toMatchObject({ ping: "Pong" });
  });

  it("a wrong password is reported as an error and never becomes ready", async () => {
    const s = await server();
    const c = connection(s.port, { secret: "wrong", backoffMaxMs: 60_000 });
    let readies = 0;
    c.on("ready", () => readies++);
    const failed = once(c, "auth_failed");
    c.start();
    await failed;
    expect(c.status).toEqual({ state: "waiting", lastError: "auth_failed" });
    expect(readies).toBe(0);
    await expect(c.action({ action: "Ping" })).rejects.toMatchObject({ code: "not_connected" });
    expect(s.logins).toBe(1); // waits the long back-off before trying again, no hammering
  });

  it("Asterisk not running: keeps retrying with back-off, connects once it is up", async () => {
    const port = await freePort();
    const c = connection(port);
    c.start();
    await new Promise((r) => setTimeout(r, 150));
    expect(c.status.state).not.toBe("ready");
    expect(c.status.lastError).toMatch(/ECONNREFUSED/);
    const s = new AmiTestServer();
    await s.start(port);
    cleanups.push(() => s.stop());
    await once(c, "ready");
    expect(c.status).toEqual({ state: "ready", lastError: null });
  });

  it("a dropped link reconnects and says so; a hung PBX is dropped by the keep-alive", async () => {
    const s = await server();
    const c = connection(s.port, { pingIntervalMs: 100 });
    let ready = once<{ reconnect: boolean }>(c, "ready");
    c.start();
    await ready;
    ready = once(c, "ready");
    const down = once<string>(c, "down");
    s.dropClients();
    expect(await down).toBe("connection closed");
    expect(await ready).toEqual({ reconnect: true });
    // The PBX stops answering: the keep-alive notices and reconnects.
    s.ignoreActions.add("ping");
    expect(await once<string>(c, "down")).toBe("keep-alive failed");
    s.ignoreActions.delete("ping");
    expect(await once(c, "ready")).toEqual({ reconnect: true });
  });

  it("malformed, truncated and split blocks do not crash the link or hide later events", async () => {
    const s = await server();
    const c = connection(s.port);
    const events: AmiBlock[] = [];
    c.on("event", (e) => events.push(e));
    const ready = once(c, "ready");
    c.start();
    await ready;
    s.inject("this is not an AMI block\r\n\r\n");
    s.inject("Event: Newstate\r\nbroken line without colon\r\nLinkedid: 3.1\r\n\r\n");
    s.inject(": \r\n\r\n\r\n\r\n");
    await s.play("inbound_busy", { chunked: true });
    await new Promise((r) => setTimeout(r, 100));
    const hangups = events.filter((e) => e.event === "Hangup");
    expect(hangups.map((h) => h.uniqueid)).toEqual(["1796312855.9", "1796312855.8"]);
    expect(events.find((e) => e.event === "Newstate" && e.linkedid === "3.1")).toBeTruthy();
    expect(await c.action({ action: "Ping" })).toMatchObject({ ping: "Pong" });
  });

  it("a block cut off by a dropped connection does not leak into the next connection", async () => {
    const s = await server();
    const c = connection(s.port);
    const events: AmiBlock[] = [];
    c.on("event", (e) => events.push(e));
    let ready = once(c, "ready");
    c.start();
    await ready;
    s.inject("Event: Hangup\r\nUniqueid: 4.1\r\nLinked");
    await new Promise((r) => setTimeout(r, 30));
    ready = once(c, "ready");
    s.dropClients();
    await ready;
    s.inject("Event: Newstate\r\nUniqueid: 4.2\r\nLinkedid: 4.2\r\n\r\n");
    await new Promise((r) => setTimeout(r, 50));
    expect(events.map((e) => [e.event, e.uniqueid])).toEqual([["FullyBooted", undefined], ["FullyBooted", undefined], ["Newstate", "4.2"]]);
  });
});
