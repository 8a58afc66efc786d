// Downloads a file for an adapter, refusing more bytes than allowed (without reading them all).
import { errors } from "../../src/errors.ts";

export async function fetchLimited(url: string, maxBytes: number): Promise<Buffer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!res.ok || !res.body) throw new Error(`download failed: HTTP ${res.status}`);
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await res.body.cancel();
    throw errors.payloadTooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxBytes) throw errors.payloadTooLarge(maxBytes);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** Messenger texts are limited (Telegram and VK: 4096 characters). */
export const clip = (s: string, max = 4096) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
