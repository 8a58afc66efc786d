// Reports the AMI link's state while this instance holds it: up, down, refused at login —
// recorded and pushed to the people at the phones (src/commands/pbxLinkRecorder.ts) — and,
// while up, a confirmation every `confirmMs` so that a holder that died shows as unknown.
// A report that cannot be written (the database is down too) is logged; the link goes on.
import { runCommand, systemActor } from "../src/context.ts";
import { pbxLinkConfirmer, pbxLinkRecorder } from "../src/commands/pbxLinkRecorder.ts";
import { logger } from "../src/logger.ts";
import type { PbxLinkState } from "../src/presenters/pbxLink.ts";
import type { AmiConnection } from "./amiConnection.ts";

const PBX_ACTOR = systemActor("АТС");

export function reportLinkState(conn: AmiConnection, pbx: string, confirmMs = 30_000): () => void {
  // reports go out one after another, in the order the link changed
  let chain: Promise<void> = Promise.resolve();
  const report = (state: PbxLinkState, error: string | null = null) => {
    chain = chain
      .then(() => runCommand(PBX_ACTOR, (ctx) => pbxLinkRecorder({ ctx, pbx, state, error })))
      .then(
        () => undefined,
        (err) => logger.warn({ err: (err as Error).message, pbx, state }, "PBX link state not recorded"),
      );
  };
  const onReady = () => report("ready");
  const onDown = (reason: string) => report("down", reason);
  const onAuthFailed = () => report("auth_failed", "authentication failed");
  conn.on("ready", onReady);
  conn.on("down", onDown);
  conn.on("auth_failed", onAuthFailed);
  const timer = setInterval(() => {
    if (conn.status.state !== "ready") return;
    pbxLinkConfirmer({ pbx }).catch((err) => logger.warn({ err: (err as Error).message, pbx }, "PBX link not confirmed"));
  }, confirmMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    conn.off("ready", onReady);
    conn.off("down", onDown);
    conn.off("auth_failed", onAuthFailed);
  };
}
