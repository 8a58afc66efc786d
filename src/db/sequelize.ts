import { Sequelize, type Transaction } from "sequelize";
import pg from "pg";
import { logger } from "../logger.ts";

// bigint/int8 columns (ids, counts) come back as numbers; our ids stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

let instance: Sequelize | undefined;

export function createSequelize(url: string, poolMax = 20): Sequelize {
  return new Sequelize(url, {
    dialect: "postgres",
    logging: (sql) => logger.trace({ sql }, "sql"),
    pool: { max: poolMax, min: 0, idle: 10000, acquire: 30000 },
    define: { underscored: true, timestamps: true },
    timezone: "+00:00",
  });
}

export function setSequelize(s: Sequelize): void {
  instance = s;
}

export function sequelize(): Sequelize {
  if (!instance) throw new Error("database is not initialised");
  return instance;
}

export type { Transaction };
