// The notification worker and the schedules as a door of the platform: runs whenever the
// platform runs. E-mail is registered as a channel only when SMTP is configured.
import os from "node:os";
import type { DoorFactory } from "../server.ts";
import { registerEmail } from "../notifications/channels.ts";
import { smtpSender } from "../notifications/email.ts";
import { Scheduler } from "./scheduler.ts";
import { scheduledJobs } from "./tasks.ts";
import { NotificationWorker } from "./worker.ts";

export const notificationsDoor: DoorFactory = async ({ cfg, db }) => {
  const mail = cfg.smtp.url ? smtpSender({ url: cfg.smtp.url, from: cfg.smtp.from, ignoreTLS: cfg.env === "test" }) : undefined;
  if (mail) registerEmail(mail);
  const worker = await new NotificationWorker(db.url).start();
  const scheduler = new Scheduler(scheduledJobs(), { instance: `${os.hostname()}:${process.pid}`, timezone: cfg.district.timezone });
  await scheduler.start();
  return {
    name: "notifications",
    async stop() {
      await scheduler.stop();
      await worker.stop();
      if (mail) {
        registerEmail(undefined);
        mail.close();
      }
    },
  };
};
