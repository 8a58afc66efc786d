// Stores a file as an attachment of a ticket: size and real type checked, file removed
// again if the transaction rolls back.
import type { Ctx } from "../context.ts";
import { errors } from "../errors.ts";
import { Attachment, type AttachmentKind } from "../models/Ticket.ts";
import { authorize } from "../policies/index.ts";
import { config } from "../config.ts";
import { checkFile, writeStored } from "../storage/files.ts";
import { recordChange } from "../workflow/engine.ts";
import { loadTicketForUpdate } from "./ticketLoader.ts";

export async function attachmentAdder({
  ctx,
  ticketId,
  kind,
  originalName,
  data,
}: {
  ctx: Ctx;
  ticketId: number;
  kind: AttachmentKind;
  originalName: string;
  data: Buffer;
}): Promise<Attachment> {
  const ticket = await loadTicketForUpdate(ctx, ticketId);
  authorize(ctx.actor, "ticket:attach", ticket);
  if (kind === "work_order" && !(ctx.actor.kind === "user" && ctx.actor.orgId !== null && ctx.actor.orgId === ticket.executorOrgId))
    throw errors.forbidden("Заказ-наряд прикладывает исполнитель заявки.");
  const count = await Attachment.count({ where: { ticketId }, transaction: ctx.transaction });
  if (count >= config().uploads.maxFilesPerTicket)
    throw errors.badRequest(`К заявке можно приложить не более ${config().uploads.maxFilesPerTicket} файлов.`, "too_many_files");
  const sniffed = await checkFile(data);
  const stored = await writeStored(ctx, data, sniffed.ext);
  const a = ctx.actor;
  const att = await Attachment.create(
    {
      ticketId,
      kind,
      originalName: originalName.replace(/[\\/\0]/g, "_").slice(0, 200) || `file.${sniffed.ext}`,
      mime: sniffed.mime,
      size: data.length,
      sha256: stored.sha256,
      storageKey: stored.storageKey,
      uploadedByUserId: a.kind === "user" ? a.user.id : null,
      uploadedByResidentId: a.kind === "resident" ? a.resident.id : null,
    },
    { transaction: ctx.transaction },
  );
  await recordChange(ctx, ticket, {
    action: "attachment_added",
    fromStatus: ticket.status,
    toStatus: ticket.status,
    changes: { attachment: { from: null, to: { id: att.id, kind, name: att.originalName } } },
  });
  return att;
}
