import type { ZodError, ZodType } from "zod";
import { errors, type FieldIssue } from "../../errors.ts";

export function zodIssues(err: ZodError): FieldIssue[] {
  return err.issues.map((i) => ({ field: i.path.join(".") || "body", message: i.message }));
}

/** Parses input with a schema or throws validation_failed naming each field. */
export function parse<T>(schema: ZodType<T>, data: unknown): T {
  const r = schema.safeParse(data ?? {});
  if (!r.success) throw errors.validationFailed(zodIssues(r.error));
  return r.data;
}
