// The one module that knows the AMI client library (asterisk-manager 0.2.0). It adds what the
// library lacks: a login that reports a wrong password, a timeout on every action, a keep-alive
// ping, reconnection with exponential back-off, and list actions (CoreShowChannels) as promises.
// A fresh library instance is made per connection so no half-read block of a dead connection
// leaks into the next one.
import { EventEmitter } from "node:events";
import { randomBytes } from "node:crypto";
import Manager, { type AmiManager, type RawAmiBlock } from "asterisk-manager";
import { logger as rootLogger } from "../src/logger.ts";

/** One AMI block with lower-cased keys and single string values. */
export type AmiBlock = Record<string, string>;

export class AmiError extends Error {
  constructor(
    public readonly code: "not_connected" | "timeout" | "failed" | "auth_failed",
    message: string,
    public readonly block?: AmiBlock,
  ) {
    super(message);
    this.name = "AmiError";
  }
}

export interface AmiOptions {
  host: string;
  port: number;
  user: string;
  secret: string;
  actionTimeoutMs?: number;
  loginTimeoutMs?: number;
  pingIntervalMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

export type AmiState = "stopped" | "connecting" | "ready" | "waiting";

export interface AmiConnectionEvents {
  ready: [{ reconnect: boolean }];
  event: [AmiBlock];
  down: [string];
  auth_failed: [];
}

function flatten(raw: RawAmiBlock): AmiBlock {
  const out: AmiBlock = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) out[k] = String(v[0] ?? "");
    else if (typeof v === "object") out[k] = Object.keys(v)[0] ?? "";
    else out[k] = String(v);
  }
  return out;
}

export class AmiConnection extends EventEmitter<AmiConnectionEvents> {
  private mgr?: AmiManager;
  private state: AmiState = "stopped";
  private attempt = 0;
  private everReady = false;
  private timers = new Set<NodeJS.Timeout>();
  private pingTimer?: NodeJS.Timeout;
  private lists = new Map<string, { items: AmiBlock[]; done: (items: AmiBlock[]) => void }>();
  lastError: string | null = null;
  private readonly o: Required<AmiOptions>;
  private readonly log;

  constructor(opts: AmiOptions) {
    super();
    this.o = { actionTimeoutMs: 5000, loginTimeoutMs: 5000, pingIntervalMs: 20_000, backoffInitialMs: 500, backoffMaxMs: 30_000, ...opts };
    this.log = rootLogger.child({ ami: `${opts.host}:${opts.port}`, amiUser: opts.user });
  }

  get status(): { state: AmiState; lastError: string | null } {
    return { state: this.state, lastError: this.lastError };
  }

  start(): void {
    if (this.state !== "stopped") return;
    this.connect();
  }

  async stop(): Promise<void> {
    this.state = "stopped";
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    clearInterval(this.pingTimer);
    const mgr = this.mgr;
    this.mgr = undefined;
    if (mgr?.isConnected()) {
      await Promise.race([this.send(mgr, { action: "Logoff" }, 500).catch(() => {}), new Promise((r) => setTimeout(r, 500))]);
    }
    this.release(mgr);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private release(mgr: AmiManager | undefined): void {
    if (!mgr) return;
    mgr.removeAllListeners();
    mgr.on("error", () => {});
    mgr.disconnect();
  }

  private connect(): void {
    this.state = "connecting";
    const mgr = Manager(undefined, this.o.host, this.o.user, this.o.secret, true);
    mgr.options.port = this.o.port;
    this.mgr = mgr;
    const mine = () => this.mgr === mgr;
    mgr.on("error", (err: Error) => {
      if (mine()) this.lastError = err.message;
      this.log.warn({ err: err.message }, "AMI connection error");
    });
    // The library delivers blocks on process.nextTick; let them run before handling the close.
    mgr.on("close", () => setImmediate(() => mine() && this.drop("connection closed")));
    mgr.on("managerevent", (raw: RawAmiBlock) => mine() && this.onBlock(flatten(raw)));
    mgr.on("asterisk", (raw: RawAmiBlock) => this.log.debug({ block: flatten(raw) }, "AMI block without Event or Response ignored"));
    this.later(this.o.loginTimeoutMs, () => {
      if (mine() && this.state === "connecting") this.drop("login timed out");
    });
    mgr.connect(this.o.port, this.o.host, () => {
      if (!mine()) return;
      mgr.login((err) => {
        if (!mine()) return;
        if (err) {
          const msg = flatten(err).message ?? "login failed";
          this.lastError = "auth_failed";
          this.log.error({ message: msg }, "AMI login rejected: check the AMI user and secret");
          this.emit("auth_failed");
          this.drop("authentication failed", true);
          return;
        }
        this.onReady();
      });
    });
  }

  private onReady(): void {
    this.state = "ready";
    this.attempt = 0;
    this.lastError = null;
    const reconnect = this.everReady;
    this.everReady = true;
    this.log.info({ reconnect }, "AMI connected");
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      // A ping still pending when its connection was replaced must not drop the new one.
      const mgr = this.mgr;
      this.action({ action: "Ping" }).catch((err: Error) => {
        if (this.mgr !== mgr) return;
        this.log.warn({ err: err.message }, "AMI keep-alive failed; reconnecting");
        this.drop("keep-alive failed");
      });
    }, this.o.pingIntervalMs);
    this.pingTimer.unref();
    this.emit("ready", { reconnect });
  }

  /** Forgets the connection and schedules the next attempt. */
  private drop(reason: string, slow = false): void {
    if (this.state === "stopped") return;
    const mgr = this.mgr;
    this.mgr = undefined;
    this.release(mgr);
    clearInterval(this.pingTimer);
    for (const l of this.lists.values()) l.done([]);
    this.lists.clear();
    const wasReady = this.state === "ready";
    this.state = "waiting";
    const base = slow ? this.o.backoffMaxMs : Math.min(this.o.backoffInitialMs * 2 ** this.attempt, this.o.backoffMaxMs);
    this.attempt++;
    const wait = Math.round(base * (0.8 + Math.random() * 0.4));
    if (wasReady || this.attempt === 1) this.log.warn({ reason, retryInMs: wait }, "AMI connection down");
    else this.log.debug({ reason, retryInMs: wait }, "AMI still unreachable");
    // down: the link was up, or the first attempt failed (a refused login says auth_failed instead)
    if ((wasReady || this.attempt === 1) && !slow) this.emit("down", reason);
    this.later(wait, () => this.state === "waiting" && this.connect());
  }

  private onBlock(b: AmiBlock): void {
    const list = b.actionid ? this.lists.get(b.actionid) : undefined;
    if (list && b.event) {
      if ((b.eventlist ?? "").toLowerCase() === "complete" || /complete$/i.test(b.event)) {
        this.lists.delete(b.actionid!);
        list.done(list.items);
      } else list.items.push(b);
      return;
    }
    this.emit("event", b);
  }

  private send(mgr: AmiManager, fields: Record<string, string | number | undefined>, timeoutMs: number): Promise<AmiBlock> {
    return new Promise((resolve, reject) => {
      let id = "";
      const timer = setTimeout(() => {
        mgr.removeAllListeners(id);
        reject(new AmiError("timeout", `AMI action ${fields.action} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      id = mgr.action({ ...fields }, (err, res) => {
        clearTimeout(timer);
        if (err) reject(new AmiError("failed", flatten(err).message ?? `AMI action ${fields.action} failed`, flatten(err)));
        else resolve(flatten(res ?? {}));
      });
    });
  }

  /** Sends one action and resolves with its Response; rejects on error, timeout or no connection. */
  action(fields: Record<string, string | number | undefined>, timeoutMs = this.o.actionTimeoutMs): Promise<AmiBlock> {
    const mgr = this.mgr;
    if (!mgr || this.state !== "ready") return Promise.reject(new AmiError("not_connected", "AMI is not connected"));
    const actionid = fields.actionid ?? `op-${randomBytes(6).toString("hex")}`;
    return this.send(mgr, { ...fields, actionid }, timeoutMs);
  }

  /** A list action (CoreShowChannels, QueueStatus…): resolves with the listed events. */
  async actionList(fields: Record<string, string | number | undefined>, timeoutMs = this.o.actionTimeoutMs): Promise<AmiBlock[]> {
    const actionid = `op-${randomBytes(6).toString("hex")}`;
    let timer: NodeJS.Timeout | undefined;
    const items = new Promise<AmiBlock[]>((resolve, reject) => {
      this.lists.set(actionid, { items: [], done: resolve });
      timer = setTimeout(() => {
        this.lists.delete(actionid);
        reject(new AmiError("timeout", `AMI list ${fields.action} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      await this.action({ ...fields, actionid }, timeoutMs);
      return await items;
    } catch (err) {
      this.lists.delete(actionid);
      items.catch(() => {});
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
