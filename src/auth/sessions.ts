// Staff sessions (httpOnly cookie, stored hashed) and API tokens, with throttled failed logins.
import { createHash, randomBytes } from "node:crypto";
import { Op, QueryTypes } from "sequelize";
import { config } from "../config.ts";
import { sequelize } from "../db/sequelize.ts";
import { errors } from "../errors.ts";
import { Organisation } from "../models/Organisation.ts";
import { ApiToken, Session } from "../models/Session.ts";
import { User } from "../models/User.ts";
import { hashPassword, passwordRules, verifyPassword } from "./passwords.ts";
import { sessionWithUser, tokenWithUser } from "./principal.ts";

export const SESSION_COOKIE = "op_session";
export const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const PER_IP_LIMIT = 30;

async function recentFailures(login: string, ip: string | null, minutes: number): Promise<{ byLogin: number; byIp: number }> {
  const rows = await sequelize().query<{ by_login: number; by_ip: number }>(
    `SELECT count(*) FILTER (WHERE lower(login) = lower($1))::int AS by_login,
            count(*) FILTER (WHERE ip = $2)::int AS by_ip
       FROM login_failures WHERE created_at > now() - make_interval(mins => $3)`,
    { bind: [login, ip, minutes], type: QueryTypes.SELECT },
  );
  return { byLogin: rows[0]?.by_login ?? 0, byIp: rows[0]?.by_ip ?? 0 };
}

export interface LoginResult {
  token: string;
  session: Session;
  user: User;
}

export async function login(loginName: string, password: string, ip: string | null): Promise<LoginResult> {
  const { maxFailedLogins, lockMinutes, sessionHours } = config().auth;
  const f = await recentFailures(loginName, ip, lockMinutes);
  if (f.byLogin >= maxFailedLogins || f.byIp >= PER_IP_LIMIT) throw errors.loginThrottled(lockMinutes);
  const user = await User.findOne({
    where: sequelize().where(sequelize().fn("lower", sequelize().col("login")), loginName.toLowerCase()),
    include: [{ model: Organisation, as: "organisation" }],
  });
  const ok = !!user && !!user.passwordHash && user.active && (!user.organisation || user.organisation.active) && (await verifyPassword(user.passwordHash, password));
  if (!ok || !user) {
    await sequelize().query("INSERT INTO login_failures (login, ip) VALUES ($1, $2)", { bind: [loginName.slice(0, 100), ip] });
    throw errors.invalidCredentials();
  }
  await sequelize().query("DELETE FROM login_failures WHERE lower(login) = lower($1)", { bind: [loginName] });
  const token = randomBytes(32).toString("base64url");
  const session = await Session.create({
    id: sha256(token),
    userId: user.id,
    csrfToken: randomBytes(24).toString("base64url"),
    expiresAt: new Date(Date.now() + sessionHours * 3_600_000),
    ip,
  });
  await user.update({ lastLoginAt: new Date() });
  return { token, session, user };
}

export async function sessionUser(token: string): Promise<{ session: Session; user: User } | null> {
  const found = await sessionWithUser(sha256(token));
  if (!found || found.credential.expiresAt < new Date()) return null;
  const { credential: session, user } = found;
  if (!user.active || (user.organisation && !user.organisation.active)) return null;
  session.user = user;
  return { session, user };
}

export async function logout(token: string): Promise<void> {
  await Session.destroy({ where: { id: sha256(token) } });
}

export async function changePassword(user: User, current: string, next: string, keepSessionId?: string): Promise<void> {
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, current))) throw errors.invalidCredentials();
  await setPassword(user, next);
  await Session.destroy({ where: { userId: user.id, ...(keepSessionId ? { id: { [Op.ne]: keepSessionId } } : {}) } });
}

export async function setPassword(user: User, next: string): Promise<void> {
  if (next.length < passwordRules.min || next.length > passwordRules.max)
    throw errors.validationFailed([{ field: "password", message: `пароль должен содержать от ${passwordRules.min} до ${passwordRules.max} символов` }]);
  await user.update({ passwordHash: await hashPassword(next), mustChangePassword: false });
}

export async function createApiToken(user: User, name: string): Promise<string> {
  const token = `op_${randomBytes(32).toString("base64url")}`;
  await ApiToken.create({ userId: user.id, name, tokenHash: sha256(token), lastUsedAt: null, revokedAt: null });
  return token;
}

export async function tokenUser(token: string): Promise<User | null> {
  const found = await tokenWithUser(sha256(token));
  if (!found) return null;
  const { credential: t, user } = found;
  // As for a session: a user switched off, or of an organisation switched off, is no one.
  if (!user.active || (user.organisation && !user.organisation.active)) return null;
  // Minute precision is enough for "last used"; writing it on every request made concurrent
  // clients of one token queue on the same row.
  if (!t.lastUsedAt || Date.now() - t.lastUsedAt.getTime() > 60_000) void t.update({ lastUsedAt: new Date() }).catch(() => {});
  return user;
}
