// A local AMI server that speaks the protocol (banner, Login, Action/Response, events) and
// replays streams recorded from a real Asterisk (test/fixtures/ami, copied from the recordings in ../shared/fixtures/ami) verbatim, with their
// recorded timings compressed. The recorder's ActionIDs in replayed events (OriginateResponse)
// are rewritten to the ActionID the client under test used.
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

export const FIXTURES = process.env.AMI_FIXTURES ?? path.resolve(import.meta.dirname, "../fixtures/ami");
const CRLF = "\r\n";

export interface AmiAction {
  fields: Record<string, string>;
  raw: string;
}

interface Block {
  raw: string;
  at: number;
}

/** The recorded blocks Asterisk sent (without banner and without the replies to the recorder's own actions). */
export function loadFixture(name: string): { blocks: Block[]; originateActionId: string | null } {
  const text = readFileSync(path.join(FIXTURES, `${name}.txt`), "latin1");
  const body = text.slice(text.indexOf(CRLF) + 2);
  const raws = body.split(CRLF + CRLF).filter((b) => b.length).map((b) => b + CRLF + CRLF);
  const times = readFileSync(path.join(FIXTURES, `${name}.timeline.txt`), "utf8")
    .split("\n")
    .map((l) => /^\+\s*([\d.]+) <<< (?!\[banner)/.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => Number(m[1]));
  const sent = readFileSync(path.join(FIXTURES, `${name}.sent.txt`), "utf8");
  const orig = /Action: Originate\r?\nActionID: (\S+)/.exec(sent);
  const blocks: Block[] = [];
  raws.forEach((raw, i) => {
    if (raw.startsWith("Response:")) return; // replies to the recorder's actions (Login, Logoff…)
    if (/^ActionID: /m.test(raw) && !raw.startsWith("Event: OriginateResponse")) return; // list items of the recorder's actions
    blocks.push({ raw, at: times[i] ?? times[times.length - 1] ?? 0 });
  });
  return { blocks, originateActionId: orig?.[1] ?? null };
}

function parseBlock(raw: string): Record<string, string> {
  const f: Record<string, string> = {};
  for (const line of raw.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) f[line.slice(0, i).trim().toLowerCase()] ??= line.slice(i + 1).trim();
  }
  return f;
}

export interface AmiServerOptions {
  user?: string;
  secret?: string;
  /** Delay before "Authentication failed" (Asterisk waits about 1 s). */
  authFailDelayMs?: number;
  /** Answer no action at all (a hung PBX). */
  silent?: boolean;
}

export class AmiTestServer {
  private server = net.createServer((s) => this.onClient(s));
  private sockets = new Set<net.Socket>();
  readonly actions: AmiAction[] = [];
  logins = 0;
  /** CoreShowChannel blocks (raw, without ActionID) the server reports as live. */
  liveChannels: string[] = [];
  /** Scenario replayed when an Originate arrives (click-to-call fixtures). */
  onOriginate: { name: string; speed: number; edit?: (raw: string) => string } | null = null;
  /** Actions (lower-case names) left unanswered, to test client timeouts. */
  ignoreActions = new Set<string>();
  /** Originate answered with Response: Error instead of "queued". */
  refuseOriginate = false;
  port = 0;

  constructor(private readonly o: AmiServerOptions = {}) {}

  async start(port = 0): Promise<number> {
    await new Promise<void>((r) => this.server.listen(port, "127.0.0.1", r));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  get clients(): number {
    return [...this.sockets].filter((s) => (s as net.Socket & { authed?: boolean }).authed).length;
  }

  private onClient(s: net.Socket): void {
    this.sockets.add(s);
    s.on("close", () => this.sockets.delete(s));
    s.on("error", () => {});
    // Each block is written as it happens: no Nagle delay between small writes (it would add
    // the peer's delayed-ACK time, ~40 ms on loopback, to events written back to back).
    s.setNoDelay(true);
    s.setEncoding("latin1");
    s.write(`Asterisk Call Manager/9.0.0${CRLF}`);
    let buf = "";
    s.on("data", (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf(CRLF + CRLF)) >= 0) {
        const raw = buf.slice(0, i);
        buf = buf.slice(i + 4);
        this.onAction(s, raw);
      }
    });
  }

  private reply(s: net.Socket, lines: string[]): void {
    if (!s.destroyed) s.write(lines.join(CRLF) + CRLF + CRLF);
  }

  private onAction(s: net.Socket, raw: string): void {
    const f = parseBlock(raw);
    this.actions.push({ fields: f, raw });
    if (this.o.silent) return;
    const id = f.actionid ?? "";
    const action = (f.action ?? "").toLowerCase();
    const authed = (s as net.Socket & { authed?: boolean }).authed;
    if (action === "login") {
      this.logins++;
      if (f.username === (this.o.user ?? "cti") && f.secret === (this.o.secret ?? "cti_secret")) {
        (s as net.Socket & { authed?: boolean }).authed = true;
        this.reply(s, ["Response: Success", `ActionID: ${id}`, "Message: Authentication accepted"]);
        this.reply(s, ["Event: FullyBooted", "Privilege: system,all", "Uptime: 120", "LastReload: 120", "Status: Fully Booted"]);
      } else {
        setTimeout(() => {
          this.reply(s, ["Response: Error", `ActionID: ${id}`, "Message: Authentication failed"]);
          s.end();
        }, this.o.authFailDelayMs ?? 20);
      }
      return;
    }
    if (!authed) return this.reply(s, ["Response: Error", `ActionID: ${id}`, "Message: Permission denied"]);
    if (this.ignoreActions.has(action)) return;
    switch (action) {
      case "ping":
        return this.reply(s, ["Response: Success", `ActionID: ${id}`, "Ping: Pong", `Timestamp: ${(Date.now() / 1000).toFixed(6)}`]);
      case "coreshowchannels":
        this.reply(s, ["Response: Success", `ActionID: ${id}`, "EventList: start", "Message: Channels will follow"]);
        for (const c of this.liveChannels) this.reply(s, [`Event: CoreShowChannel`, `ActionID: ${id}`, ...c.trim().split(/\r?\n/).filter((l) => !l.startsWith("Event:"))]);
        return this.reply(s, ["Event: CoreShowChannelsComplete", `ActionID: ${id}`, "EventList: Complete", `ListItems: ${this.liveChannels.length}`]);
      case "originate":
        if (this.refuseOriginate) return this.reply(s, ["Response: Error", `ActionID: ${id}`, "Message: Originate failed"]);
        this.reply(s, ["Response: Success", `ActionID: ${id}`, "Message: Originate successfully queued"]);
        if (this.onOriginate) void this.play(this.onOriginate.name, { speed: this.onOriginate.speed, edit: this.onOriginate.edit, actionId: id });
        return;
      case "logoff":
        this.reply(s, ["Response: Goodbye", `ActionID: ${id}`, "Message: Thanks for all the fish."]);
        s.end();
        return;
      default:
        return this.reply(s, ["Response: Error", `ActionID: ${id}`, "Message: Invalid/unknown command"]);
    }
  }

  /** Writes raw bytes to every logged-in client (malformed or hand-made blocks). */
  inject(raw: string): void {
    for (const s of this.sockets) if ((s as net.Socket & { authed?: boolean }).authed) s.write(raw);
  }

  /**
   * Replays a recorded scenario to the logged-in clients. speed: how many times faster than
   * recorded (Infinity: all at once in one write). stopAfter: replay only the first N blocks.
   */
  async play(
    name: string,
    opts: { speed?: number; actionId?: string; from?: number; stopAfter?: number; chunked?: boolean; edit?: (raw: string) => string } = {},
  ): Promise<void> {
    const { blocks, originateActionId } = loadFixture(name);
    const speed = opts.speed ?? Infinity;
    const list = blocks.slice(opts.from ?? 0, opts.stopAfter ?? blocks.length).map((b) => {
      let raw = opts.actionId && originateActionId ? b.raw.replaceAll(`ActionID: ${originateActionId}\r\n`, `ActionID: ${opts.actionId}\r\n`) : b.raw;
      if (opts.edit) raw = opts.edit(raw);
      return { ...b, raw };
    });
    if (speed === Infinity) {
      const all = list.map((b) => b.raw).join("");
      if (!opts.chunked) return this.inject(all);
      // Split at odd places: the client must reassemble blocks across reads.
      for (let i = 0; i < all.length; i += 37) {
        this.inject(all.slice(i, i + 37));
        await new Promise((r) => setImmediate(r));
      }
      return;
    }
    let prev = list[0]?.at ?? 0;
    for (const b of list) {
      const wait = Math.max(0, (b.at - prev) * 1000) / speed;
      prev = b.at;
      if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
      this.inject(b.raw);
    }
  }

  /** Drops every client connection (a network failure or an Asterisk restart). */
  dropClients(): void {
    for (const s of this.sockets) s.destroy();
  }

  async stop(): Promise<void> {
    this.dropClients();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
