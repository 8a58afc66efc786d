// The telephony door: off until AMI host, user and secret are configured. One instance (chosen
// by an advisory lock) holds the AMI link, logs calls and pops them; pops reach operators on
// every instance through PostgreSQL NOTIFY. Click-to-call requests made on any instance reach
// the holder the same way.
import { z } from "zod";
import { pbxName, telephonyConfigured } from "../src/config.ts";
import { runCommand, systemActor } from "../src/context.ts";
import { contactAttemptResolver } from "../src/commands/contactAttemptRecorder.ts";
import { registerDialer, type Dialer, type DialRequest } from "../src/commands/callDialer.ts";
import { logger } from "../src/logger.ts";
import type { Door, DoorFactory } from "../src/server.ts";
import { AmiConnection, type AmiOptions } from "./amiConnection.ts";
import { CallTracker } from "./callTracker.ts";
import { reportLinkState } from "./linkReporter.ts";
import { DIAL_CHANNEL, Leadership } from "./leader.ts";

export interface TelephonyOptions extends Partial<Pick<AmiOptions, "actionTimeoutMs" | "loginTimeoutMs" | "pingIntervalMs" | "backoffInitialMs" | "backoffMaxMs">> {
  leaderRetryMs?: number;
}

export interface TelephonyDoor extends Door {
  leadership: Leadership;
  /** The AMI link and call tracker while this instance holds them. */
  link(): { conn: AmiConnection; tracker: CallTracker } | null;
}

const dialRequestSchema = z.object({
  ref: z.string().min(1),
  extension: z.string().min(1),
  number: z.string().regex(/^\+\d{6,15}$/),
  ticketId: z.number().int(),
  attemptId: z.number().int(),
});

/** +79121234567 → 89121234567 (how Russian PBX dial plans take national numbers). */
export function dialString(e164: string): string {
  return e164.startsWith("+7") ? `8${e164.slice(2)}` : `810${e164.slice(1)}`;
}

export function telephonyDoor(opts: TelephonyOptions = {}): DoorFactory {
  return async ({ cfg, db }) => {
    if (!telephonyConfigured(cfg)) return null;
    const ami = cfg.ami;
    const pbx = pbxName(cfg);
    let link: { conn: AmiConnection; tracker: CallTracker; detach: () => void } | null = null;

    const originate = async (req: DialRequest) => {
      if (!link) throw new Error("no AMI link on this instance");
      const dial = dialString(req.number);
      await link.conn.action({
        action: "Originate",
        actionid: req.ref,
        channel: ami.operatorChannel.replaceAll("{extension}", req.extension),
        context: ami.originateContext,
        exten: dial,
        priority: 1,
        callerid: `"${dial}" <${dial}>`,
        timeout: 30_000,
        channelid: req.ref,
        async: "true",
      });
    };
    const failAttempt = (req: DialRequest, err: unknown) => {
      logger.warn({ err: (err as Error).message, attemptId: req.attemptId, extension: req.extension }, "click-to-call not placed");
      return runCommand(systemActor("АТС"), (ctx) => contactAttemptResolver({ ctx, attemptId: req.attemptId, outcome: "failed" })).catch((e) =>
        logger.error({ err: e, attemptId: req.attemptId }, "click-to-call attempt not resolved"),
      );
    };

    const leadership: Leadership = new Leadership({
      url: db.url,
      key: `op:ami:${pbx}`,
      retryMs: opts.leaderRetryMs ?? 5000,
      onLead() {
        const conn = new AmiConnection({ host: ami.host!, port: ami.port, user: ami.user!, secret: ami.secret!, ...opts });
        // calls are recorded in parallel on a quarter of the database pool at most
        const tracker = new CallTracker(conn, pbx, Math.max(1, Math.floor((cfg.database.poolMax ?? 20) / 4)));
        const detachTracker = tracker.attach();
        const detachReporter = reportLinkState(conn, pbx);
        link = { conn, tracker, detach: () => (detachTracker(), detachReporter()) };
        conn.start();
      },
      onLose() {
        const l = link;
        link = null;
        l?.detach();
        void l?.conn.stop();
      },
      onDialRequest(payload) {
        let req: DialRequest;
        try {
          req = dialRequestSchema.parse(JSON.parse(payload));
        } catch (err) {
          logger.warn({ err: (err as Error).message }, "bad click-to-call request ignored");
          return;
        }
        originate(req).catch((err) => failAttempt(req, err));
      },
    });

    const dialer: Dialer = {
      ready: () => (leadership.leading ? link?.conn.status.state === "ready" : true),
      async dial(req) {
        if (leadership.leading) {
          try {
            await originate(req);
          } catch (err) {
            await failAttempt(req, err);
            throw err;
          }
          return;
        }
        await db.sequelize.query("SELECT pg_notify($1, $2)", { bind: [DIAL_CHANNEL, JSON.stringify(req)] });
      },
    };
    const unregister = registerDialer(dialer);
    leadership.start();

    const door: TelephonyDoor = {
      name: "telephony",
      leadership,
      link: () => (link ? { conn: link.conn, tracker: link.tracker } : null),
      async stop() {
        unregister();
        const l = link;
        link = null;
        l?.detach();
        await l?.conn.stop();
        await leadership.stop();
      },
    };
    return door;
  };
}
