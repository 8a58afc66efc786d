// The registry of delivery channels. Doors (the bots) hand their "send" functions to it at
// start-up, so the delivery worker never imports a door.
export type ChannelName = "telegram" | "vk" | "email";

/** An abstract button; `data` is the callback payload (at most 64 bytes, Telegram's limit). */
export interface MessageButton {
  label: string;
  data: string;
}

export interface MessengerMessage {
  chatId: string;
  text: string;
  buttons?: MessageButton[][];
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export type DeliveryResult =
  | { status: "sent"; externalId?: string }
  /** Temporary failure (429, 5xx, network): try again after `afterMs`. `hold`: the service asked us
   *  to slow down (Telegram 429 → "chat", VK error 6 → "channel"); the send schedule waits too. */
  | { status: "retry"; afterMs: number; error: string; hold?: "chat" | "channel" }
  /** The person blocked the bot or the chat is gone: stop using this channel for them. */
  | { status: "blocked"; error: string }
  /** Permanent failure for this message (bad request, refused address). */
  | { status: "failed"; error: string };

export interface MessengerSender {
  send(m: MessengerMessage): Promise<DeliveryResult>;
}
export interface EmailSender {
  send(m: EmailMessage): Promise<DeliveryResult>;
}

const messengers = new Map<"telegram" | "vk", MessengerSender>();
let email: EmailSender | undefined;

export function registerMessenger(channel: "telegram" | "vk", sender: MessengerSender): void {
  messengers.set(channel, sender);
}
export function unregisterMessenger(channel: "telegram" | "vk"): void {
  messengers.delete(channel);
}
export function messenger(channel: "telegram" | "vk"): MessengerSender | undefined {
  return messengers.get(channel);
}
export function registerEmail(sender: EmailSender | undefined): void {
  email = sender;
}
export function emailSender(): EmailSender | undefined {
  return email;
}
export function configuredChannels(): ChannelName[] {
  return [...messengers.keys(), ...(email ? (["email"] as const) : [])];
}
