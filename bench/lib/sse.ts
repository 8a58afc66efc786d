// A minimal server-sent events client on node:http (no dependencies): one dedicated socket per
// stream, each event handed to a callback with the time it was read off the socket.
import http from "node:http";

export interface SseEvent {
  event: string;
  data: any;
  /** performance.now() when the chunk carrying the end of this event arrived. */
  at: number;
}

export interface SseStream {
  /** Every event but "hello", in arrival order. */
  events: SseEvent[];
  close(): void;
  /** Set when the stream ended or failed (the server closed it, a socket error). */
  closedReason: string | null;
}

/**
 * Opens `url` (GET, event-stream) and resolves once the server's first "hello" event arrived
 * (or any first event when `helloEvent` is null). `onEvent` is called for every later event.
 */
export function openSse(
  url: string,
  headers: Record<string, string>,
  onEvent: (e: SseEvent) => void = () => {},
  opts: { timeoutMs?: number; helloEvent?: string | null } = {},
): Promise<SseStream> {
  const hello = opts.helloEvent === undefined ? "hello" : opts.helloEvent;
  return new Promise((resolve, reject) => {
    const stream: SseStream = { events: [], closedReason: null, close: () => req.destroy() };
    let ready = false;
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`SSE ${url}: no ${hello ?? "first event"} in ${opts.timeoutMs ?? 10_000} ms`));
    }, opts.timeoutMs ?? 10_000);
    const markReady = () => {
      if (ready) return;
      ready = true;
      clearTimeout(timer);
      resolve(stream);
    };
    const req = http.get(url, { agent: false, headers: { accept: "text/event-stream", ...headers } }, (res) => {
      if (res.statusCode !== 200) {
        clearTimeout(timer);
        reject(new Error(`SSE ${url}: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      res.socket.setNoDelay(true);
      res.setEncoding("utf8");
      let buf = "";
      res.on("data", (chunk: string) => {
        const at = performance.now();
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const raw = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let event = "message";
          const data: string[] = [];
          for (const line of raw.split("\n")) {
            if (line.startsWith("event:")) event = line.slice(6).trim();
            else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
          }
          if (!data.length) continue; // comments, retry
          const e: SseEvent = { event, data: JSON.parse(data.join("\n")), at };
          if (!ready && (hello === null || event === hello)) {
            markReady();
            if (hello !== null) continue;
          }
          stream.events.push(e);
          onEvent(e);
        }
      });
      res.on("close", () => (stream.closedReason ??= "closed by the server"));
    });
    req.on("error", (err) => {
      stream.closedReason ??= err.message;
      if (!ready) {
        clearTimeout(timer);
        reject(err);
      }
    });
  });
}
