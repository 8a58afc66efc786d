// `npm run migrate` (up) and `npm run migrate -- down` (revert the last migration).
import { loadConfig, setConfig } from "../config.ts";
import { connectDatabase } from "../db/connect.ts";
import { migrator, migrateUp } from "../db/migrator.ts";

const cfg = loadConfig();
setConfig(cfg);
const db = await connectDatabase(cfg, { migrate: false });
try {
  if (process.argv.includes("down")) {
    const done = await migrator(db.sequelize).down();
    process.stdout.write(`reverted: ${done.map((m) => m.name).join(", ") || "nothing"}\n`);
  } else {
    const done = await migrateUp(db.sequelize);
    process.stdout.write(`applied: ${done.length ? done.join(", ") : "nothing (up to date)"}\n`);
  }
} finally {
  await db.close();
}
