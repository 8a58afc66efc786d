// Helpers of the fault tests: an SSE reader for /api/stream, the environment of a Telegram app child.
import { freePort } from "../../bench/scenarios/p1-intake.ts";

export interface Sse {
  events: Array<{ event: string; data: any }>;
  close(): void;
}

/** Opens GET /api/stream with a session cookie; collects events until closed. Reconnects when the server drops it. */
export async function openSse(base: string, cookie: string): Promise<Sse> {
  const events: Sse["events"] = [];
  let closed = false;
  let ac = new AbortController();
  const run = async () => {
    while (!closed) {
      try {
        ac = new AbortController();
        const res = await fetch(`${base}/api/stream`, { headers: { cookie }, signal: ac.signal });
        const reader = res.body!.getReader();
        const dec = new TextDecoder();
        let buf = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let i: number;
          while ((i = buf.indexOf("\n\n")) >= 0) {
            const chunk = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const ev = /^event: (.*)$/m.exec(chunk)?.[1] ?? "message";
            const data = /^data: (.*)$/m.exec(chunk)?.[1];
            if (data !== undefined) {
              let parsed: unknown = data;
              try {
                parsed = JSON.parse(data);
              } catch {
                /* text */
              }
              events.push({ event: ev, data: parsed });
            }
          }
        }
      } catch {
        /* dropped or aborted */
      }
      if (!closed) await new Promise((r) => setTimeout(r, 300));
    }
  };
  void run();
  await new Promise((r) => setTimeout(r, 300));
  return {
    events,
    close() {
      closed = true;
      ac.abort();
    },
  };
}

/** The environment of an app child on the test's database with the Telegram door in webhook mode. */
export async function telegramAppEnv(db: { url: string; cfg: { dataDir: string } }, tg: { token: string; url: string }, secret: string): Promise<Record<string, string>> {
  const port = await freePort();
  return {
    NODE_ENV: "development",
    DATABASE_URL: db.url,
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: db.cfg.dataDir,
    ADMIN_PASSWORD: "fault-admin-password",
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_MODE: "webhook",
    TELEGRAM_WEBHOOK_SECRET: secret,
    TELEGRAM_API_ROOT: tg.url,
  };
}
