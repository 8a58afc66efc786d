// Chooses the database: DATABASE_URL when given, else the embedded PostgreSQL under data/.
import type { Config } from "../config.ts";
import { initModels } from "../models/index.ts";
import { startEmbedded, type EmbeddedHandle } from "./embedded.ts";
import { migrateUp } from "./migrator.ts";
import { createSequelize, setSequelize } from "./sequelize.ts";
import type { Sequelize } from "sequelize";

export interface Database {
  sequelize: Sequelize;
  url: string;
  embedded?: EmbeddedHandle;
  close(): Promise<void>;
}

export async function connectDatabase(cfg: Config, { migrate = true } = {}): Promise<Database> {
  let embedded: EmbeddedHandle | undefined;
  let url = cfg.database.url;
  if (!url) {
    embedded = await startEmbedded(cfg.dataDir, cfg.database.embeddedPort);
    url = embedded.url("open_pechora");
  }
  const sequelize = createSequelize(url, cfg.database.poolMax);
  await sequelize.authenticate();
  setSequelize(sequelize);
  initModels(sequelize);
  if (migrate) await migrateUp(sequelize);
  return {
    sequelize,
    url,
    embedded,
    async close() {
      await sequelize.close();
      await embedded?.stop();
    },
  };
}
