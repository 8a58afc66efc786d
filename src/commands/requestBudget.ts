// Abuse limits of the doors open to anyone: a budget is N uses per subject (an IP address, an
// Open311 client) per fixed window, counted in PostgreSQL (request_budgets). Spending past the
// limit is refused with 429 rate_limited and a Russian message saying when to come back.
import { QueryTypes, type Transaction } from "sequelize";
import { config, type Config } from "../config.ts";
import { sequelize } from "../db/sequelize.ts";
import { errors } from "../errors.ts";

interface Budget {
  limit: (l: Config["limits"]) => number;
  windowSeconds: number;
  message: (minutes: number) => string;
}

const wait = (m: number) => `Повторите через ${m} мин.`;

export const BUDGETS = {
  residentForm: {
    limit: (l) => l.residentFormPerIpPerHour,
    windowSeconds: 3600,
    message: (m) => `С этого адреса отправлено слишком много заявок через сайт. ${wait(m)} Срочно — звоните в Центр обработки заявок.`,
  },
  statusFailures: { limit: (l) => l.statusFailuresPerIp, windowSeconds: 900, message: (m) => `Слишком много неудачных попыток. ${wait(m)}` },
  connect: { limit: (l) => l.connectPerIpPerHour, windowSeconds: 3600, message: (m) => `С этого адреса отправлено слишком много заявок на подключение. ${wait(m)}` },
  open311: { limit: (l) => l.open311PerClientPerHour, windowSeconds: 3600, message: (m) => `Превышен лимит заявок для этого api_key. ${wait(m)}` },
} satisfies Record<string, Budget>;
export type BudgetName = keyof typeof BUDGETS;

const minutesLeft = (windowSeconds: number) => Math.max(1, Math.ceil((windowSeconds - ((Date.now() / 1000) % windowSeconds)) / 60));
const WINDOW = "to_timestamp(floor(extract(epoch FROM now()) / $2) * $2)";

/** Spends one use of `name` for `subject`; refuses (429) once the window's budget is used up. */
export async function spendBudget(name: BudgetName, subject: string, transaction?: Transaction): Promise<void> {
  const b: Budget = BUDGETS[name];
  const [row] = await sequelize().query<{ used: number }>(
    `INSERT INTO request_budgets (key, window_start, used) VALUES ($1, ${WINDOW}, 1)
     ON CONFLICT (key, window_start) DO UPDATE SET used = request_budgets.used + 1 RETURNING used`,
    { bind: [`${name}:${subject}`, b.windowSeconds], type: QueryTypes.SELECT, transaction },
  );
  if (row!.used > b.limit(config().limits)) throw errors.rateLimited(b.message(minutesLeft(b.windowSeconds)));
}

/** Refuses (429) when the window's budget is already used up, without spending (failures are spent on failure). */
export async function checkBudget(name: BudgetName, subject: string): Promise<void> {
  const b: Budget = BUDGETS[name];
  const [row] = await sequelize().query<{ used: number }>(`SELECT used FROM request_budgets WHERE key = $1 AND window_start = ${WINDOW}`, {
    bind: [`${name}:${subject}`, b.windowSeconds],
    type: QueryTypes.SELECT,
  });
  if ((row?.used ?? 0) >= b.limit(config().limits)) throw errors.rateLimited(b.message(minutesLeft(b.windowSeconds)));
}

/** Records one failure against `name` for `subject` (never refuses). */
export async function recordFailure(name: BudgetName, subject: string): Promise<void> {
  await spendBudget(name, subject).catch((err: unknown) => {
    if (!(err instanceof Error && "id" in err && (err as { id: string }).id === "rate_limited")) throw err;
  });
}
