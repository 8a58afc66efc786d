// Ticket photos an adapter sends after a staff card (ids chosen by the engine for a viewer who may see them).
import { Op } from "sequelize";
import { Attachment } from "../../src/models/Ticket.ts";
import { readStored } from "../../src/storage/files.ts";
import { logger } from "../../src/logger.ts";

export async function loadPhotos(ids: number[] | undefined): Promise<Array<{ name: string; data: Buffer }>> {
  if (!ids?.length) return [];
  const rows = await Attachment.findAll({ where: { id: { [Op.in]: ids }, kind: "photo" }, order: [["id", "ASC"]] });
  const out: Array<{ name: string; data: Buffer }> = [];
  for (const a of rows) {
    try {
      out.push({ name: a.originalName, data: await readStored(a.storageKey) });
    } catch (err) {
      logger.warn({ err, attachmentId: a.id }, "ticket photo missing on disk");
    }
  }
  return out;
}
