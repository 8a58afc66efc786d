// First start on an empty database: reference data and the administrator.
import { UniqueConstraintError, type Sequelize } from "sequelize";
import type { Config } from "./config.ts";
import { generatePassword, hashPassword } from "./auth/passwords.ts";
import { logger } from "./logger.ts";
import { User } from "./models/User.ts";
import { seedReference } from "./reference/seed.ts";

export async function bootstrap(db: Sequelize, cfg: Config, print: (s: string) => void = (s) => process.stdout.write(s)): Promise<void> {
  const ref = await seedReference(db);
  logger.info(ref, "reference data loaded");
  const admin = await User.findOne({ where: { role: "admin" } });
  if (admin) return;
  const fromEnv = cfg.auth.adminPassword;
  const password = fromEnv ?? generatePassword();
  const created = await User.create({
    organisationId: null,
    role: "admin",
    login: "admin",
    fullName: "Администратор платформы",
    position: "Техническая поддержка",
    email: null,
    phone: null,
    extension: null,
    passwordHash: await hashPassword(password),
    mustChangePassword: !fromEnv,
    lockedUntil: null,
    lastLoginAt: null,
  }).catch((err) => {
    // Several instances (or test apps) starting together on an empty database: one of them wins.
    if (err instanceof UniqueConstraintError) return null;
    throw err;
  });
  if (!created) return;
  if (fromEnv) logger.info("administrator 'admin' created with ADMIN_PASSWORD");
  else
    print(
      `\n================ Open Pechora ================\n` +
        `Administrator created. Login: admin\nOne-time password (shown once, change it after the first login): ${password}\n` +
        `==============================================\n\n`,
    );
}
