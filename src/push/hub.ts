// Receives pushes from PostgreSQL (LISTEN) and hands each to the connections of this instance
// whose user it is meant for, in NOTIFY order. A push too large for NOTIFY arrives deflated, or
// when even that is too large as a reference to its stored body, read on the listening connection
// itself (no connection per message).
// Reconnects by itself if the database restarts; pushes sent while it was away are gone, so after a
// reconnect every connection of this instance is told to "resync" (re-read what it shows).
import pg from "pg";
import { logger } from "../logger.ts";
import { PUSH_CHANNEL, unpackPush, type Audience, type PackedPush, type PushMessage } from "./publish.ts";

/** The listening connection's name in pg_stat_activity. */
export const PUSH_LISTENER_NAME = "open-pechora push listener";

export interface PushSubscriber {
  userId: number;
  orgId: number | null;
  role: string;
  send(event: string, data: unknown): void;
}

export function matches(a: Audience, s: PushSubscriber): boolean {
  return !!(
    a.userIds?.includes(s.userId) ||
    (s.orgId !== null && a.orgIds?.includes(s.orgId)) ||
    a.roles?.includes(s.role)
  );
}

export class PushHub {
  private subs = new Set<PushSubscriber>();
  private client?: pg.Client;
  private stopped = false;
  private retryMs = 500;
  private listeners = new Set<(m: PushMessage) => void>();
  private inOrder: Promise<void> = Promise.resolve();
  private listenedBefore = false;

  constructor(private readonly url: string) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: PUSH_LISTENER_NAME });
    client.on("error", (err) => {
      logger.warn({ err: err.message }, "push listener connection lost");
      this.reconnect(client);
    });
    client.on("end", () => this.reconnect(client));
    client.on("notification", (n) => {
      if (n.channel === PUSH_CHANNEL && n.payload) this.onPayload(client, n.payload);
    });
    await client.connect();
    await client.query(`LISTEN ${PUSH_CHANNEL}`);
    this.client = client;
    this.retryMs = 500;
    if (this.listenedBefore) {
      logger.info({ connections: this.subs.size }, "push listener back; connections told to resync");
      this.toEveryone("resync", { reason: "push_listener_reconnected" });
    }
    this.listenedBefore = true;
  }

  private toEveryone(event: string, data: unknown): void {
    for (const s of this.subs) {
      try {
        s.send(event, data);
      } catch (err) {
        logger.warn({ err }, "push send failed");
      }
    }
  }

  private reconnect(old: pg.Client): void {
    if (this.stopped || this.client !== old) return;
    this.client = undefined;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
    setTimeout(() => {
      if (this.stopped) return;
      this.connect().catch((err) => {
        logger.warn({ err: err.message }, "push listener reconnect failed");
        const dummy = new pg.Client();
        this.client = dummy;
        this.reconnect(dummy);
      });
    }, wait).unref();
  }

  /** Dispatches in arrival order: a message waits for an earlier one whose body is being read. */
  private onPayload(client: pg.Client, payload: string): void {
    this.inOrder = this.inOrder.then(async () => {
      try {
        let msg = JSON.parse(payload) as PushMessage | PackedPush | { ref: number };
        if ("z" in msg) msg = unpackPush(msg);
        else if ("ref" in msg) {
          const r = await client.query("SELECT body FROM push_messages WHERE id = $1", [msg.ref]);
          if (!r.rows[0]) return;
          msg = r.rows[0].body as PushMessage;
        }
        this.dispatch(msg as PushMessage);
      } catch (err) {
        logger.error({ err }, "bad push payload");
      }
    });
  }

  dispatch(msg: PushMessage): void {
    for (const l of this.listeners) l(msg);
    for (const s of this.subs) {
      if (!matches(msg.audience, s)) continue;
      try {
        s.send(msg.event, msg.data);
      } catch (err) {
        logger.warn({ err }, "push send failed");
      }
    }
  }

  subscribe(s: PushSubscriber): () => void {
    this.subs.add(s);
    return () => this.subs.delete(s);
  }

  /** In-process observers of every push (tests, metrics). */
  onMessage(fn: (m: PushMessage) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get connections(): number {
    return this.subs.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => {});
  }
}
