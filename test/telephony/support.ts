// Shared helpers of the telephony tests: a platform with the telephony door against a local
// AMI server, a reader of an operator's server-sent events, and waiting for the database.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Platform } from "../../src/server.ts";
import { telephonyDoor, type TelephonyDoor } from "../../telephony/index.ts";
import { startTestApp, type Client } from "../support/app.ts";
import { AmiTestServer } from "../support/amiServer.ts";

export const CALLER = "+79121234567";

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, what: string, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface TelephonyApp {
  app: Platform;
  door: TelephonyDoor;
  recordings: string;
}

export async function startTelephonyApp(ami: AmiTestServer, env: Record<string, string> = {}): Promise<TelephonyApp> {
  const recordings = mkdtempSync(path.join(os.tmpdir(), "op-rec-"));
  const app = await startTestApp({
    doors: [telephonyDoor({ leaderRetryMs: 50, backoffInitialMs: 20, backoffMaxMs: 300, actionTimeoutMs: 2000, pingIntervalMs: 60_000 })],
    env: {
      AMI_HOST: "127.0.0.1",
      AMI_PORT: String(ami.port),
      AMI_USER: "cti",
      AMI_SECRET: "cti_secret",
      AMI_OPERATOR_CHANNEL: "SIP/operator",
      AMI_ORIGINATE_CONTEXT: "from-operator",
      RECORDINGS_DIR: recordings,
      ...env,
    },
  });
  const door = app.doors.find((d) => d.name === "telephony") as TelephonyDoor;
  return { app, door, recordings };
}

/** Waits until this instance holds the AMI link and has re-read the live calls `n` times. */
export async function linkReady(t: TelephonyApp, resyncs = 1) {
  return waitFor(async () => {
    const l = t.door.link();
    return l && l.conn.status.state === "ready" && l.tracker.resyncs >= resyncs && l;
  }, "AMI link ready");
}

export interface Stream {
  events: Array<{ event: string; data: any }>;
  close(): void;
}

/** Opens the operator's live push channel (GET /api/stream) and collects its events. */
export async function openStream(base: string, c: Client): Promise<Stream> {
  const ac = new AbortController();
  const res = await fetch(`${base}/api/stream`, { headers: { cookie: c.cookie! }, signal: ac.signal });
  const events: Stream["events"] = [];
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = "";
  let hello: () => void = () => {};
  const gotHello = new Promise<void>((r) => (hello = r));
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const chunk = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (.+)$/m.exec(chunk)?.[1];
          const data = /^data: (.+)$/m.exec(chunk)?.[1];
          if (ev === "hello") hello();
          else if (ev && data) events.push({ event: ev, data: JSON.parse(data) });
        }
      }
    } catch {
      /* aborted */
    }
  })();
  await gotHello;
  return { events, close: () => ac.abort() };
}

/** Builds a raw AMI event block. */
export const block = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\r\n") + "\r\n\r\n";
