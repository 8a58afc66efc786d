import path from "node:path";
import { pathToFileURL } from "node:url";
import { Umzug, SequelizeStorage } from "umzug";
import type { QueryInterface, Sequelize } from "sequelize";
import { rootDir } from "../config.ts";
import { logger } from "../logger.ts";

export type MigrationFn = (params: { context: QueryInterface }) => Promise<void>;

export function migrator(sequelize: Sequelize) {
  return new Umzug<QueryInterface>({
    migrations: {
      glob: ["migrations/*.ts", { cwd: rootDir }],
      resolve: ({ name, path: p, context }) => ({
        name: path.basename(name, ".ts"),
        up: async () => (await import(pathToFileURL(p!).href)).up({ context }),
        down: async () => (await import(pathToFileURL(p!).href)).down({ context }),
      }),
    },
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: "schema_migrations" }),
    logger: {
      info: (m) => logger.debug(m, "migration"),
      warn: (m) => logger.warn(m, "migration"),
      error: (m) => logger.error(m, "migration"),
      debug: () => {},
    },
  });
}

/** Applies pending migrations under an advisory lock so two instances starting together do not race. */
export async function migrateUp(sequelize: Sequelize): Promise<string[]> {
  const LOCK = 727_001;
  const qi = sequelize;
  return qi.transaction(async (t) => {
    await qi.query("SELECT pg_advisory_xact_lock($1)", { bind: [LOCK], transaction: t });
    const done = await migrator(sequelize).up();
    return done.map((m) => m.name);
  });
}

export async function pendingMigrations(sequelize: Sequelize): Promise<string[]> {
  return (await migrator(sequelize).pending()).map((m) => m.name);
}
