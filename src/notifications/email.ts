// The e-mail channel: nodemailer over SMTP, HTML and text parts, Russian subjects. SMTP answers
// map to delivery results: 4xx and connection trouble are temporary, 5xx refusals permanent.
import type { Transporter } from "nodemailer";
import type { DeliveryResult, EmailMessage, EmailSender } from "./channels.ts";

export interface SmtpOptions {
  url: string;
  from: string;
  /** For a local server without a valid certificate (tests). */
  ignoreTLS?: boolean;
}

interface SmtpError extends Error {
  responseCode?: number;
  code?: string;
}

export function classifySmtpError(err: SmtpError): DeliveryResult {
  const msg = err.message || String(err);
  const code = err.responseCode;
  if (code && code >= 500) return { status: "failed", error: `SMTP ${code}: ${msg}` };
  return { status: "retry", afterMs: 0, error: code ? `SMTP ${code}: ${msg}` : `SMTP: ${msg}` };
}

export function smtpSender(opts: SmtpOptions): EmailSender & { close(): void } {
  // nodemailer (~10 MB) is loaded with the first message, not at start.
  let transport: Promise<Transporter> | undefined;
  const open = () => (transport ??= import("nodemailer").then((m) => m.default.createTransport(opts.url, { ignoreTLS: opts.ignoreTLS } as object)));
  return {
    async send(m: EmailMessage): Promise<DeliveryResult> {
      try {
        const info = await (await open()).sendMail({ from: opts.from, to: m.to, subject: m.subject, text: m.text, html: m.html });
        if (info.rejected?.length) return { status: "failed", error: `адрес отклонён: ${info.rejected.join(", ")}` };
        return { status: "sent", externalId: info.messageId };
      } catch (err) {
        return classifySmtpError(err as SmtpError);
      }
    },
    close: () => void transport?.then((t) => t.close()).catch(() => {}),
  };
}
