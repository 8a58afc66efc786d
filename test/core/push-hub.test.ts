// The push hub delivers in NOTIFY order, including pushes too large for NOTIFY (deflated into
// the payload, or when even that is too large stored in push_messages and read back on the hub's
// own listening connection).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryTypes } from "sequelize";
import { PUSH_LISTENER_NAME, PushHub, type PushSubscriber } from "../../src/push/hub.ts";
import { NOTIFY_LIMIT, publishPush } from "../../src/push/publish.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";

let db: TestDb;
let hub: PushHub;
const got: Array<{ event: string; data: any }> = [];
const me: PushSubscriber = { userId: 7001, orgId: null, role: "operator", send: (event, data) => got.push({ event, data }) };

beforeAll(async () => {
  db = await setupTestDb();
  hub = new PushHub(db.url);
  await hub.start();
  hub.subscribe(me);
});
afterAll(async () => {
  await hub?.stop();
  await db?.close();
});

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe("push hub", () => {
  it("a large push and the small ones after it arrive whole and in the order they were sent", async () => {
    got.length = 0;
    const big = { text: "з".repeat(NOTIFY_LIMIT) }; // deflates into the payload
    const huge = { noise: randomBytes(NOTIFY_LIMIT).toString("base64") }; // does not: stored
    const [{ n: before }] = await db.sequelize.query<{ n: number }>("SELECT count(*)::int AS n FROM push_messages", { type: QueryTypes.SELECT });
    await db.sequelize.transaction(async (transaction) => {
      await publishPush(db.sequelize, { event: "one", audience: { userIds: [7001] }, data: { n: 1 } }, transaction);
      await publishPush(db.sequelize, { event: "big", audience: { userIds: [7001] }, data: big }, transaction);
      await publishPush(db.sequelize, { event: "huge", audience: { userIds: [7001] }, data: huge }, transaction);
      await publishPush(db.sequelize, { event: "after", audience: { userIds: [7001] }, data: { n: 3 } }, transaction);
      await publishPush(db.sequelize, { event: "other", audience: { userIds: [7002] }, data: { n: 4 } }, transaction);
    });
    for (let i = 0; i < 5; i++) await publishPush(db.sequelize, { event: ["big", "small", "huge"][i % 3]!, audience: { userIds: [7001] }, data: [{ i, ...big }, { i }, { i, ...huge }][i % 3] });
    await until(() => got.length >= 9);
    expect(got.map((g) => g.event)).toEqual(["one", "big", "huge", "after", "big", "small", "huge", "big", "small"]);
    expect(got[1]!.data).toEqual(big);
    expect(got[2]!.data).toEqual(huge);
    expect(got[6]!.data).toEqual({ i: 2, ...huge });
    expect(got[7]!.data).toEqual({ i: 3, ...big });
    const [{ n: after }] = await db.sequelize.query<{ n: number }>("SELECT count(*)::int AS n FROM push_messages", { type: QueryTypes.SELECT });
    expect(after - before).toBe(2); // the two huge ones
  });

  it("after the listening connection is lost, the hub reconnects and tells every connection to resync", async () => {
    got.length = 0;
    await db.sequelize.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      { bind: [PUSH_LISTENER_NAME] },
    );
    await until(() => got.some((g) => g.event === "resync"));
    expect(got.filter((g) => g.event === "resync")).toEqual([{ event: "resync", data: { reason: "push_listener_reconnected" } }]);
    // and pushes flow again on the new connection
    await publishPush(db.sequelize, { event: "again", audience: { userIds: [7001] }, data: { n: 1 } });
    await until(() => got.some((g) => g.event === "again"));
    expect(got.map((g) => g.event)).toEqual(["resync", "again"]);
  });
});
