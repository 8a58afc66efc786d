// The conversation engine through its own adapter contract (a recording Port): what any future
// messenger adapter gets for free. The real adapters are covered in telegram/vk tests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { makeWorld, PNG, type World } from "../support/factories.ts";
import { handleIncoming } from "../../bots/engine/engine.ts";
import type { FileRef, Incoming, Port, Reply } from "../../bots/engine/types.ts";
import { BotSession } from "../../src/models/BotSession.ts";

let db: TestDb;
let w: World;
beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
});
afterAll(() => db.close());

function chat(id: string, contactButton = true) {
  const sent: Reply[] = [];
  const acks: Array<string | undefined> = [];
  const files = new Map<string, Buffer>();
  const port: Port = {
    contactButton,
    send: async (r) => void sent.push(r),
    ack: async (t) => void acks.push(t),
    download: async (f: FileRef) => {
      const b = files.get(f.ref);
      if (!b) throw new Error("no such file");
      return b;
    },
  };
  let seq = 0;
  const base = { channel: "telegram" as const, chatId: id, userId: id };
  const turn = async (inc: Partial<Incoming>) => {
    const before = sent.length;
    await handleIncoming({ ...base, updateKey: `${id}-${++seq}`, kind: "text", ...inc } as Incoming, port);
    return sent.slice(before);
  };
  const lastData = (label: string) => {
    const withChoices = sent.filter((r) => r.choices?.length);
    const c = withChoices[withChoices.length - 1]!.choices!.flat().find((x) => x.label === label);
    if (!c) throw new Error(`no choice ${label}`);
    return c.data;
  };
  return { sent, acks, files, turn, press: (label: string) => turn({ kind: "choice", data: lastData(label) }), lastData };
}
const txt = (rs: Reply[]) => rs.map((r) => r.text).join("\n");
const stateOf = async (id: string) => (await BotSession.findOne({ where: { channel: "telegram", chatId: id } }))!.state as any;

describe("conversation engine", () => {
  it("cancels from the contact keyboard's plain-text button and hides that keyboard", async () => {
    const id = `e${Date.now()}`;
    const c = chat(id);
    await c.turn({ kind: "command", command: "start", text: "/start" });
    const ask = await c.press("✅ Согласен");
    expect(ask[0]!.requestContact).toBe(true);
    const said = await c.turn({ text: "✖ Отмена" });
    expect(said[0]).toMatchObject({ text: "Действие отменено.", removeKeyboard: true });
    expect((await stateOf(id)).step).toBe("idle");
  });

  it("refuses more files than allowed, and files outside the request dialogue", async () => {
    const id = `f${Date.now()}`;
    const c = chat(id);
    await c.turn({ kind: "command", command: "start" });
    await c.press("✅ Согласен");
    await c.turn({ kind: "contact", contact: { phone: `+7913${String(Date.now()).slice(-7)}`, own: true } });
    await c.press("По лицевому счёту");
    let said = await c.turn({ kind: "files", files: [{ kind: "photo", ref: "x", name: "x.png" }] });
    expect(txt(said)).toContain("не жду файлов");
    said = await c.turn({ text: w.apartments[2]!.personalAccount! });
    expect(txt(said)).toContain("Адрес добавлен");
    await c.turn({ kind: "command", command: "new" });
    await c.press("Аварии");
    await c.press("Нет отопления");
    await c.turn({ text: "Батареи холодные во всей квартире" });
    c.files.set("p", PNG);
    const six = Array.from({ length: 6 }, (_, i): FileRef => ({ kind: "photo", ref: "p", name: `p${i}.png` }));
    said = await c.turn({ kind: "files", files: six });
    expect(txt(said)).toContain("не более 5 файлов");
    expect((await stateOf(id)).d.files).toHaveLength(0);
    said = await c.turn({ kind: "files", files: six.slice(0, 2) });
    expect(txt(said)).toContain("Файл принят (2 из 5)");
    // An emergency category skips the emergency question.
    said = await c.press("Готово");
    expect(txt(said)).toContain("Аварийная: да");
  });

  it("takes each update once by its key", async () => {
    const id = `k${Date.now()}`;
    const c = chat(id);
    const inc = { channel: "telegram" as const, chatId: id, userId: id, updateKey: `${id}-same`, kind: "command" as const, command: "start" };
    const port = { contactButton: true, send: async (r: Reply) => void c.sent.push(r), download: async () => Buffer.alloc(0) };
    expect(await handleIncoming(inc, port)).toEqual({ duplicate: false, refused: false });
    const n = c.sent.length;
    expect(await handleIncoming(inc, port)).toEqual({ duplicate: true, refused: false });
    expect(c.sent.length).toBe(n);
  });
});
