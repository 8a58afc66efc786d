// The published security contact (regulation §3.1.1) as RFC 9116 security.txt and JSON.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Platform } from "../../src/server.ts";
import { startTestApp } from "../support/app.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";

let db: TestDb;
let app: Platform;
beforeAll(async () => {
  db = await setupTestDb();
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
  await db.close();
});

describe("security contact", () => {
  it("serves /.well-known/security.txt with the regulation's contacts and a valid Expires", async () => {
    const res = await fetch(`${app.url}/.well-known/security.txt`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    const fields = text.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split(": ") as [string, string]);
    const contacts = fields.filter(([k]) => k === "Contact").map(([, v]) => v);
    expect(contacts).toEqual(["mailto:help@rkomi.ru", "tel:+78212301201", "tel:+78003012001"]);
    const expires = fields.filter(([k]) => k === "Expires");
    expect(expires).toHaveLength(1);
    const at = Date.parse(expires[0]![1]);
    expect(at).toBeGreaterThan(Date.now());
    expect(at - Date.now()).toBeLessThanOrEqual(366 * 86_400_000);
    expect(text).toContain("Центр информационных технологий");
    expect(fields.find(([k]) => k === "Canonical")?.[1]).toMatch(/\/\.well-known\/security\.txt$/);
    // every non-comment line is a known RFC 9116 field
    for (const [k] of fields) expect(["Contact", "Expires", "Preferred-Languages", "Canonical"]).toContain(k);
  });

  it("redirects the legacy /security.txt and publishes the contact as JSON without signing in", async () => {
    const legacy = await fetch(`${app.url}/security.txt`, { redirect: "manual" });
    expect(legacy.status).toBe(301);
    expect(legacy.headers.get("location")).toBe("/.well-known/security.txt");
    const json = await (await fetch(`${app.url}/api/security-contact`)).json();
    expect(json.email).toBe("help@rkomi.ru");
    expect(json.phones.map((p: { number: string }) => p.number)).toEqual(["(8212) 301-201", "8-800-301-2001"]);
  });
});
