// Several app instances may run behind a balancer; exactly one of them holds the AMI link (or
// every call would be logged and popped once per instance). The holder is chosen with a
// PostgreSQL advisory lock on a dedicated connection: if that instance dies, its connection
// drops, the lock frees, and another instance takes over within `retryMs`. The same connection
// listens for click-to-call requests made on other instances.
import pg from "pg";
import { logger } from "../src/logger.ts";

export const DIAL_CHANNEL = "op_ami_dial";

export interface LeaderOptions {
  url: string;
  key: string;
  retryMs: number;
  onLead(): void;
  onLose(): void;
  onDialRequest(payload: string): void;
}

export class Leadership {
  private client?: pg.Client;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  leading = false;

  constructor(private readonly o: LeaderOptions) {}

  start(): void {
    void this.tick();
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), this.o.retryMs);
    this.timer.unref();
  }

  private running = false;

  private async tick(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = true;
    try {
      if (!this.client) {
        const c = new pg.Client({ connectionString: this.o.url });
        c.on("error", (err) => this.lost(c, err.message));
        c.on("end", () => this.lost(c, "connection ended"));
        c.on("notification", (n) => {
          if (n.channel === DIAL_CHANNEL && n.payload && this.leading) this.o.onDialRequest(n.payload);
        });
        await c.connect();
        await c.query(`LISTEN ${DIAL_CHANNEL}`);
        this.client = c;
      }
      if (!this.leading) {
        const r = await this.client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS ok", [this.o.key]);
        if (r.rows[0]?.ok && !this.stopped) {
          this.leading = true;
          logger.info({ key: this.o.key }, "this instance holds the AMI link");
          this.o.onLead();
        }
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message }, "AMI leadership check failed");
      if (this.client) this.lost(this.client, (err as Error).message);
    } finally {
      this.running = false;
    }
    if (!this.leading) this.schedule();
  }

  private lost(c: pg.Client, why: string): void {
    if (this.client !== c) return;
    this.client = undefined;
    c.end().catch(() => {});
    if (this.leading) {
      this.leading = false;
      logger.warn({ why }, "AMI leadership lost");
      this.o.onLose();
    }
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    this.leading = false;
    await c?.end().catch(() => {});
  }
}
