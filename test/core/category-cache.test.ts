// The held copy of the categories never makes a command wait for a second connection: with every
// pooled connection held by commands that ask for a category, an expired or cleared copy must
// not stand them all still (it did, for the pool's 30 s acquire timeout).
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Sequelize } from "sequelize";
import { createSequelize, setSequelize } from "../../src/db/sequelize.ts";
import { initModels } from "../../src/models/index.ts";
import { Category } from "../../src/models/Category.ts";
import { categoryById, forgetCategories } from "../../src/reference/categoryCache.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";

let db: TestDb;
let small: Sequelize;

beforeAll(async () => {
  db = await setupTestDb();
  small = createSequelize(db.url, 2); // two connections, both taken by the commands below
  setSequelize(small);
  initModels(small);
});
afterAll(async () => {
  await small?.close();
  await db?.close();
});

it("commands holding every connection still get their category, cleared copy or not", async () => {
  const [cat] = await Category.findAll({ limit: 1 });
  const both = () =>
    Promise.all(
      [0, 1].map(() =>
        small.transaction(async (transaction) => {
          await small.query("SELECT pg_sleep(0.05)", { transaction }); // both connections are held
          return categoryById(cat!.id, transaction);
        }),
      ),
    );
  const inTime = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, no) => setTimeout(() => no(new Error("stood still")), 5_000))]);
  forgetCategories();
  expect((await inTime(both())).map((c) => c?.id)).toEqual([cat!.id, cat!.id]);
  // a copy read since; a category unknown to it is read in the caller's transaction
  expect((await inTime(both())).map((c) => c?.id)).toEqual([cat!.id, cat!.id]);
  expect(await small.transaction((transaction) => categoryById(-1, transaction))).toBeNull();
});
