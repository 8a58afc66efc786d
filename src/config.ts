// One zod schema over config/default.json and the environment, checked at boot.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

export const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const defaults = JSON.parse(readFileSync(path.join(rootDir, "config", "default.json"), "utf8"));

const intFromEnv = z.coerce.number().int().positive();

export const configSchema = z.object({
  env: z.enum(["development", "production", "test"]),
  http: z.object({
    host: z.string().min(1),
    port: z.coerce.number().int().min(0).max(65535),
    publicUrl: z.string().url(),
  }),
  district: z.object({
    name: z.string().min(1),
    timezone: z.string().refine((tz) => {
      try {
        new Intl.DateTimeFormat("ru-RU", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, "unknown IANA time zone"),
    settlement: z.string().min(1),
  }),
  database: z.object({
    url: z.string().url().optional(),
    embeddedPort: intFromEnv,
    poolMax: intFromEnv,
  }),
  dataDir: z.string().min(1),
  uploads: z.object({
    maxBytes: intFromEnv,
    maxFilesPerTicket: intFromEnv,
    allowedTypes: z.array(z.string()).min(1),
  }),
  auth: z.object({
    sessionHours: intFromEnv,
    maxFailedLogins: intFromEnv,
    lockMinutes: intFromEnv,
    adminPassword: z.string().min(10, "ADMIN_PASSWORD must be at least 10 characters").optional(),
  }),
  workflow: z.object({
    unreachableMinAttempts: intFromEnv,
    emergencyDispatchMinutes: intFromEnv,
  }),
  /** Abuse limits of the doors open to anyone (counted in PostgreSQL, so across instances and restarts). */
  limits: z.object({
    residentFormPerIpPerHour: intFromEnv,
    statusFailuresPerIp: intFromEnv,
    connectPerIpPerHour: intFromEnv,
    open311PerClientPerHour: intFromEnv,
  }),
  log: z.object({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]) }),
  telegram: z.object({
    token: z.string().optional(),
    webhookSecret: z.string().optional(),
    apiRoot: z.string().url().optional(),
    mode: z.enum(["webhook", "polling"]).default("polling"),
    /** The bot's @username, for deep links in the panel (t.me/<username>?start=…). */
    username: z.string().regex(/^[A-Za-z0-9_]{5,32}$/, "a Telegram bot username").optional(),
    /** Most messages the platform sends in any one second in total (Telegram allows about 30; 25 leaves room). */
    ratePerSecond: z.coerce.number().int().min(1).max(30).default(25),
  }),
  vk: z.object({
    token: z.string().optional(),
    groupId: z.coerce.number().int().positive().optional(),
    secret: z.string().optional(),
    confirmation: z.string().optional(),
    apiBaseUrl: z.string().url().optional(),
    mode: z.enum(["callback", "longpoll"]).default("longpoll"),
  }),
  ami: z.object({
    host: z.string().optional(),
    port: z.coerce.number().int().positive().default(5038),
    user: z.string().optional(),
    secret: z.string().optional(),
    recordingsDir: z.string().optional(),
    /** Minutes within which a missed call must be called back (ПП 416 п.13: 10). */
    callbackDueMinutes: z.coerce.number().int().positive().default(10),
    /** Dial string of an operator's phone for click-to-call; {extension} is replaced. */
    operatorChannel: z.string().min(1).default("PJSIP/{extension}"),
    /** Dialplan context the click-to-call dials the resident from. */
    originateContext: z.string().min(1).default("from-internal"),
  }),
  smtp: z.object({
    url: z.string().optional(),
    from: z.string().default("Открытая Печора <noreply@open-pechora.local>"),
  }),
  personalData: z
    .object({
      /** Days after a resident's last ticket closed before their personal data are anonymised. */
      retentionDays: z.coerce.number().int().positive().default(1095),
      /** Hours an invitation link to set a password stays valid. */
      invitationHours: z.coerce.number().int().positive().default(72),
    })
    .default({ retentionDays: 1095, invitationHours: 72 }),
});

export type Config = z.infer<typeof configSchema>;

type Env = Record<string, string | undefined>;

function clean<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined || o[k] === "") delete o[k];
  return o;
}

/** Builds the raw config object: defaults overlaid with environment variables. */
export function rawConfig(env: Env = process.env): Record<string, unknown> {
  return {
    env: env.NODE_ENV === "production" ? "production" : env.NODE_ENV === "test" || env.VITEST ? "test" : "development",
    http: {
      ...defaults.http,
      ...clean({ host: env.HOST, port: env.PORT }),
      // Without PUBLIC_URL the address follows the port.
      publicUrl: env.PUBLIC_URL || (env.PORT && /^\d+$/.test(env.PORT) && env.PORT !== "0" ? `http://localhost:${env.PORT}` : defaults.http.publicUrl),
    },
    district: { ...defaults.district, ...clean({ timezone: env.DISTRICT_TIMEZONE, name: env.DISTRICT_NAME }) },
    database: {
      ...defaults.database,
      ...clean({ url: env.DATABASE_URL, embeddedPort: env.EMBEDDED_PG_PORT, poolMax: env.DATABASE_POOL_MAX }),
    },
    dataDir: env.DATA_DIR || defaults.dataDir,
    uploads: { ...defaults.uploads, ...clean({ maxBytes: env.UPLOAD_MAX_BYTES }) },
    auth: { ...defaults.auth, ...clean({ adminPassword: env.ADMIN_PASSWORD }) },
    workflow: { ...defaults.workflow },
    limits: {
      ...defaults.limits,
      ...clean({
        residentFormPerIpPerHour: env.LIMIT_RESIDENT_FORM_PER_IP_PER_HOUR,
        statusFailuresPerIp: env.LIMIT_STATUS_FAILURES_PER_IP,
        connectPerIpPerHour: env.LIMIT_CONNECT_PER_IP_PER_HOUR,
        open311PerClientPerHour: env.LIMIT_OPEN311_PER_CLIENT_PER_HOUR,
      }),
    },
    log: { level: env.LOG_LEVEL || defaults.log.level },
    telegram: clean({
      token: env.TELEGRAM_BOT_TOKEN,
      webhookSecret: env.TELEGRAM_WEBHOOK_SECRET,
      apiRoot: env.TELEGRAM_API_ROOT,
      mode: env.TELEGRAM_MODE,
      username: env.TELEGRAM_BOT_USERNAME,
      ratePerSecond: env.TELEGRAM_RATE_PER_SECOND,
    }),
    vk: clean({
      token: env.VK_TOKEN,
      groupId: env.VK_GROUP_ID,
      secret: env.VK_SECRET,
      confirmation: env.VK_CONFIRMATION,
      apiBaseUrl: env.VK_API_BASE_URL,
      mode: env.VK_MODE,
    }),
    ami: clean({
      host: env.AMI_HOST,
      port: env.AMI_PORT,
      user: env.AMI_USER,
      secret: env.AMI_SECRET,
      recordingsDir: env.RECORDINGS_DIR,
      callbackDueMinutes: env.AMI_CALLBACK_DUE_MINUTES,
      operatorChannel: env.AMI_OPERATOR_CHANNEL,
      originateContext: env.AMI_ORIGINATE_CONTEXT,
    }),
    smtp: clean({ url: env.SMTP_URL, from: env.MAIL_FROM }),
    personalData: clean({ retentionDays: env.PD_RETENTION_DAYS, invitationHours: env.INVITATION_HOURS }),
  };
}

export class ConfigError extends Error {}

/** Parses and validates; throws a ConfigError listing every problem in readable form. */
export function loadConfig(env: Env = process.env): Config {
  const parsed = configSchema.safeParse(rawConfig(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const cfg = parsed.data;
  if (!path.isAbsolute(cfg.dataDir)) cfg.dataDir = path.join(rootDir, cfg.dataDir);
  return cfg;
}

let current: Config | undefined;
export function config(): Config {
  current ??= loadConfig();
  return current;
}
/** For tests and tools that build a config of their own. */
export function setConfig(c: Config): void {
  current = c;
}

/** Telephony is on when the AMI host, user and secret are all set. */
export const telephonyConfigured = (cfg: Config): boolean => !!(cfg.ami.host && cfg.ami.user && cfg.ami.secret);

/** The PBX's name in call records and the link's state: "host:port". */
export const pbxName = (cfg: Config): string => `${cfg.ami.host}:${cfg.ami.port}`;
