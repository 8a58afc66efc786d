// The P2 baseline: the same transport as the screen-pop without the platform. It logs in to the
// AMI server (raw TCP, no client library), splits the stream into blocks, and for a DialBegin
// writes a small call.ringing event to the SSE connection of the dialled extension
// (GET /api/stream?ext=2001, a Koa handler with a PassThrough body like the app's), and
// call.ended for the caller's Hangup. No database. Prints "READY <url>" once logged in.
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import Koa from "koa";

const subs = new Map<string, Set<(event: string, data: unknown) => void>>();
const ringingAt = new Map<string, string>();

const app = new Koa();
app.use(async (ctx) => {
  const ext = ctx.query.ext;
  if (ctx.path !== "/api/stream" || typeof ext !== "string") {
    ctx.status = 404;
    return;
  }
  const out = new PassThrough();
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.set({ "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache" });
  ctx.status = 200;
  ctx.body = out;
  let seq = 0;
  const send = (event: string, data: unknown) => void out.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const set = subs.get(ext) ?? new Set();
  subs.set(ext, set);
  set.add(send);
  send("hello", { ext });
  ctx.req.on("close", () => set.delete(send));
});

function fields(raw: string): Record<string, string> {
  const f: Record<string, string> = {};
  for (const line of raw.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0) f[line.slice(0, i).toLowerCase()] ??= line.slice(i + 1).trim();
  }
  return f;
}

function onBlock(f: Record<string, string>): void {
  const push = (ext: string | undefined, event: string, data: unknown) => {
    for (const send of subs.get(ext ?? "") ?? []) send(event, data);
  };
  if (f.event === "DialBegin" && f.channel && f.destcalleridnum) {
    ringingAt.set(f.linkedid!, f.destcalleridnum);
    push(f.destcalleridnum, "call.ringing", { callId: f.linkedid, callerNumber: f.calleridnum, extension: f.destcalleridnum });
  } else if (f.event === "Hangup" && f.uniqueid && f.uniqueid === f.linkedid) {
    const ext = ringingAt.get(f.linkedid);
    ringingAt.delete(f.linkedid);
    push(ext, "call.ended", { callId: f.linkedid, reason: "call_ended" });
  }
}

const loggedIn = new Promise<void>((resolve, reject) => {
  const s = net.connect(Number(process.env.AMI_PORT), process.env.AMI_HOST ?? "127.0.0.1");
  s.setNoDelay(true);
  s.setEncoding("latin1");
  let buf = "";
  let banner = true;
  s.on("data", (d: string) => {
    buf += d;
    if (banner) {
      const i = buf.indexOf("\r\n");
      if (i < 0) return;
      buf = buf.slice(i + 2);
      banner = false;
      s.write(`Action: Login\r\nActionID: bare-1\r\nUsername: ${process.env.AMI_USER}\r\nSecret: ${process.env.AMI_SECRET}\r\n\r\n`);
    }
    let i: number;
    while ((i = buf.indexOf("\r\n\r\n")) >= 0) {
      const f = fields(buf.slice(0, i));
      buf = buf.slice(i + 4);
      if (f.response && f.actionid === "bare-1") (f.response === "Success" ? resolve() : reject(new Error(f.message)));
      else onBlock(f);
    }
  });
  s.on("error", reject);
  s.on("close", () => process.exit(0));
});

const server = http.createServer(app.callback());
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
await loggedIn;
process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
