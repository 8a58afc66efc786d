// Admin view of the delivery machinery: the dead letters, the backlog, and putting a dead
// delivery back in the queue.
import Router from "@koa/router";
import { QueryTypes } from "sequelize";
import { z } from "zod";
import { sequelize } from "../../db/sequelize.ts";
import { errors } from "../../errors.ts";
import { OUTBOX_CHANNEL } from "../../outbox/index.ts";
import { authorize } from "../../policies/index.ts";
import { requireStaff } from "../middleware/auth.ts";
import { parse } from "../middleware/validate.ts";

const DEAD = ["failed", "dead", "uncertain", "skipped"];

const STATUS_LABELS: Record<string, string> = {
  failed: "Не доставлено (постоянная ошибка)",
  dead: "Не доставлено после всех попыток",
  uncertain: "Неизвестно, доставлено ли (обработчик остановился во время отправки)",
  skipped: "Нет канала связи с получателем",
};

export function notificationsRouter(): Router {
  const r = new Router({ prefix: "/api/notifications" });

  r.get("/dead-letters", async (ctx) => {
    authorize(requireStaff(ctx), "notifications:admin");
    const q = parse(z.object({ status: z.enum(["failed", "dead", "uncertain", "skipped"]).optional(), page: z.coerce.number().int().min(1).default(1) }), ctx.query);
    const rows = await sequelize().query<Record<string, unknown>>(
      `SELECT id, key, kind, resident_id, user_id, channel, status, attempts, last_error, subject, left(text, 300) AS text, created_at, updated_at
         FROM deliveries WHERE status = ANY($1::text[]) ORDER BY updated_at DESC, id DESC LIMIT 50 OFFSET $2`,
      { bind: [q.status ? [q.status] : DEAD, (q.page - 1) * 50], type: QueryTypes.SELECT },
    );
    ctx.body = {
      items: rows.map((d) => ({
        id: d.id,
        key: d.key,
        kind: d.kind,
        recipient: d.resident_id ? { residentId: d.resident_id } : d.user_id ? { userId: d.user_id } : { email: true },
        channel: d.channel,
        status: d.status,
        statusLabel: STATUS_LABELS[d.status as string],
        attempts: d.attempts,
        lastError: d.last_error,
        subject: d.subject,
        text: d.text,
        createdAt: d.created_at,
        updatedAt: d.updated_at,
      })),
    };
  });

  r.get("/backlog", async (ctx) => {
    authorize(requireStaff(ctx), "notifications:admin");
    const byStatus = await sequelize().query<{ status: string; channel: string | null; n: number }>(
      "SELECT status, channel, count(*)::int AS n FROM deliveries WHERE status NOT IN ('sent') GROUP BY 1, 2 ORDER BY 1, 2",
      { type: QueryTypes.SELECT },
    );
    const [outbox] = await sequelize().query<{ pending: number; oldest: Date | null; failing: number }>(
      `SELECT count(*) FILTER (WHERE processed_at IS NULL)::int AS pending, min(created_at) FILTER (WHERE processed_at IS NULL) AS oldest,
              count(*) FILTER (WHERE last_error IS NOT NULL AND processed_at IS NULL)::int AS failing FROM outbox`,
      { type: QueryTypes.SELECT },
    );
    ctx.body = { outbox, deliveries: byStatus };
  });

  r.post("/deliveries/:id/requeue", async (ctx) => {
    authorize(requireStaff(ctx), "notifications:admin");
    const deliveryId = parse(z.coerce.number().int().positive(), ctx.params.id);
    const rows = await sequelize().query<{ id: number }>(
      `UPDATE deliveries SET status = 'queued', attempts = 0, claimed_at = NULL, next_attempt_at = now() - interval '1 minute',
              last_error = coalesce(last_error, '') || ' (повторная отправка по решению администратора)', updated_at = now()
        WHERE id = $1 AND status IN ('failed', 'dead', 'uncertain') AND channel IS NOT NULL RETURNING id`,
      { bind: [deliveryId], type: QueryTypes.SELECT },
    );
    if (!rows.length) throw errors.conflict("delivery_not_requeueable", "Это уведомление нельзя отправить повторно (не найдено, уже отправлено или нет канала).");
    // Wakes the workers; their sweep enqueues deliveries without a job.
    await sequelize().query("SELECT pg_notify($1, 'sweep')", { bind: [OUTBOX_CHANNEL] });
    ctx.body = { id: deliveryId, status: "queued" };
  });

  return r;
}
