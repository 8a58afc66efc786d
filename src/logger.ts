import { pino } from "pino";

export const logger = pino({
  level: process.env.LOG_LEVEL || (process.env.VITEST ? "silent" : "info"),
  base: { app: "open-pechora" },
  redact: ["req.headers.cookie", "req.headers.authorization", "*.password", "*.secret", "*.token"],
});
export type Logger = typeof logger;
