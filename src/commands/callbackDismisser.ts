// An operator takes a missed call off the call-back list, saying why (e.g. "ошибся номером").
import type { Ctx } from "../context.ts";
import { AppError, errors } from "../errors.ts";
import { sequelize } from "../db/sequelize.ts";
import { Call } from "../models/Call.ts";
import { authorize } from "../policies/index.ts";
import { publishPush } from "../push/publish.ts";

export async function callbackDismisser({ ctx, callId, reason }: { ctx: Ctx; callId: number; reason: string }): Promise<Call> {
  authorize(ctx.actor, "call:work");
  const call = await Call.findByPk(callId, { transaction: ctx.transaction, lock: ctx.transaction.LOCK.UPDATE });
  if (!call) throw new AppError(404, "call_not_found", "Звонок не найден.");
  if (call.callbackStatus !== "open") throw errors.conflict("callback_not_open", "Этого звонка нет в списке перезвона: он уже обработан.");
  const text = reason.trim();
  if (!text) throw errors.validationFailed([{ field: "reason", message: "укажите причину" }]);
  call.set({
    callbackStatus: "dismissed",
    callbackReason: text,
    callbackClosedAt: new Date(),
    callbackClosedByUserId: ctx.actor.kind === "user" ? ctx.actor.user.id : null,
  });
  await call.save({ transaction: ctx.transaction });
  await publishPush(sequelize(), { event: "callbacks.changed", audience: { roles: ["operator"] }, data: {} }, ctx.transaction);
  return call;
}
