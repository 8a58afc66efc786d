// The contract between the conversation engine and a messenger adapter. An adapter turns its
// protocol's updates into `Incoming`, and renders `Reply` (text + abstract choices) back.
export type BotChannel = "telegram" | "vk";

/** A button: `data` comes back in `Incoming.data` when pressed (≤ 64 bytes). */
export interface Choice {
  label: string;
  data: string;
}

export interface Reply {
  text: string;
  choices?: Choice[][];
  /** Ask for the person's own phone number with a messenger's contact button (if it has one). */
  requestContact?: boolean;
  /** Hide a contact keyboard shown earlier. */
  removeKeyboard?: boolean;
  /** Ticket photos (attachment ids) to send after the text, for staff who may see them. */
  photos?: number[];
}

/** A file the person sent; fetched through the messenger's API only when needed. */
export interface FileRef {
  kind: "photo" | "document";
  /** Telegram file_id, VK download URL. */
  ref: string;
  name: string;
  size?: number;
  mime?: string;
}

export type IncomingKind = "text" | "command" | "choice" | "contact" | "files" | "unsupported";

export interface Incoming {
  channel: BotChannel;
  /** Telegram update_id, VK event_id: processed once. */
  updateKey?: string;
  chatId: string;
  /** The person's messenger id. */
  userId: string;
  username?: string | null;
  displayName?: string | null;
  kind: IncomingKind;
  text?: string;
  /** For "command": the command without slash ("start"). */
  command?: string;
  /** For "choice": the pressed button's data. */
  data?: string;
  /** For "choice": the chat the pressed button's message belongs to (if the protocol says). */
  buttonChatId?: string;
  /** For "contact": the shared phone and whether it is the sender's own. */
  contact?: { phone: string; own: boolean };
  files?: FileRef[];
  /** For "unsupported": what it was (sticker, voice, location…), for logs. */
  what?: string;
}

/** What the engine needs from an adapter. */
export interface Port {
  /** Capabilities that change the dialogue (VK has no contact button). */
  contactButton: boolean;
  send(reply: Reply): Promise<void>;
  /** Acknowledge a pressed button (Telegram answerCallbackQuery, VK sendMessageEventAnswer). */
  ack?(text?: string): Promise<void>;
  /** Downloads a file through the messenger's API, refusing more than `maxBytes`. */
  download(file: FileRef, maxBytes: number): Promise<Buffer>;
}
