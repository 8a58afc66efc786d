// Attachments on disk: size and type limits, content sniffing (the declared type is not trusted).
import { createHash, randomBytes } from "node:crypto";
import { mkdir, writeFile, rm, readFile } from "node:fs/promises";
import path from "node:path";
import { fileTypeFromBuffer } from "file-type";
import { config } from "../config.ts";
import type { Ctx } from "../context.ts";
import { errors } from "../errors.ts";

export interface SniffedFile {
  mime: string;
  ext: string;
}

const HUMAN: Record<string, string> = {
  "image/jpeg": "JPEG",
  "image/png": "PNG",
  "image/webp": "WebP",
  "image/heic": "HEIC",
  "application/pdf": "PDF",
};

export function allowedTypesText(allowed = config().uploads.allowedTypes): string {
  return allowed.map((t) => HUMAN[t] ?? t).join(", ");
}

/** Checks size and real content type; throws a clear error, writes nothing. */
export async function checkFile(buf: Buffer, allowed = config().uploads.allowedTypes, maxBytes = config().uploads.maxBytes): Promise<SniffedFile> {
  if (buf.length === 0) throw errors.badRequest("Файл пустой.", "file_empty");
  if (buf.length > maxBytes) throw errors.payloadTooLarge(maxBytes);
  const t = await fileTypeFromBuffer(buf);
  if (!t || !allowed.includes(t.mime)) throw errors.unsupportedFile(allowedTypesText(allowed));
  return { mime: t.mime, ext: t.ext };
}

export function uploadsDir(): string {
  return path.join(config().dataDir, "uploads");
}

/** Writes the file and registers its removal should the command's transaction roll back. */
export async function writeStored(ctx: Ctx, buf: Buffer, ext: string): Promise<{ storageKey: string; sha256: string }> {
  const now = new Date();
  const key = path.join(String(now.getUTCFullYear()), String(now.getUTCMonth() + 1).padStart(2, "0"), `${randomBytes(16).toString("hex")}.${ext}`);
  const full = path.join(uploadsDir(), key);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, buf, { flag: "wx" });
  ctx.onRollback(() => rm(full, { force: true }));
  return { storageKey: key, sha256: createHash("sha256").update(buf).digest("hex") };
}

export async function readStored(storageKey: string): Promise<Buffer> {
  const full = path.resolve(uploadsDir(), storageKey);
  if (!full.startsWith(path.resolve(uploadsDir()) + path.sep)) throw errors.notFound("attachment");
  return readFile(full);
}
