// Errors are factories with stable ids; one middleware maps them to HTTP answers.
// `message` is Russian (people read it); `id` is stable (programs read it).

export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly id: string,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export interface FieldIssue {
  field: string;
  message: string;
}

export const errors = {
  validationFailed: (issues: FieldIssue[]) =>
    new AppError(400, "validation_failed", `Проверьте данные: ${issues.map((i) => `${i.field} — ${i.message}`).join("; ")}`, { issues }),
  badRequest: (message: string, id = "bad_request") => new AppError(400, id, message),
  malformedJson: () => new AppError(400, "malformed_json", "Тело запроса не является корректным JSON."),
  unauthenticated: () => new AppError(401, "unauthenticated", "Требуется вход в систему."),
  invalidCredentials: () => new AppError(401, "invalid_credentials", "Неверный логин или пароль."),
  loginThrottled: (minutes: number) =>
    new AppError(429, "login_throttled", `Слишком много неудачных попыток входа. Повторите через ${minutes} мин.`),
  forbidden: (message = "Недостаточно прав для этого действия.") => new AppError(403, "forbidden", message),
  csrf: () => new AppError(403, "csrf_failed", "Форма устарела или отправлена не из панели. Обновите страницу и повторите."),
  notFound: (what: string, id = `${what}_not_found`) => new AppError(404, id, notFoundText[what] ?? "Не найдено."),
  transitionNotAllowed: (action: string, status: string) =>
    new AppError(409, "transition_not_allowed", `Действие «${action}» недоступно для заявки в статусе «${status}».`, { action, status }),
  ticketChanged: (by: string | null, status: string) =>
    new AppError(409, "ticket_changed", `Заявка уже изменена${by ? ` (${by})` : ""}: сейчас она в статусе «${status}». Обновите карточку.`, { by, status }),
  conflict: (id: string, message: string) => new AppError(409, id, message),
  guardFailed: (id: string, message: string) => new AppError(422, id, message),
  payloadTooLarge: (maxBytes: number) =>
    new AppError(413, "file_too_large", `Файл слишком большой: допускается не более ${Math.round(maxBytes / 1024 / 1024)} МБ.`),
  unsupportedFile: (allowed: string) => new AppError(415, "file_type_not_allowed", `Тип файла не поддерживается. Допустимы: ${allowed}.`),
  rateLimited: (message = "Слишком много запросов. Повторите позже.") => new AppError(429, "rate_limited", message),
};

const notFoundText: Record<string, string> = {
  ticket: "Заявка не найдена.",
  building: "Дом не найден.",
  apartment: "Квартира не найдена.",
  category: "Категория не найдена.",
  organisation: "Организация не найдена.",
  user: "Пользователь не найден.",
  resident: "Житель не найден.",
  attachment: "Файл не найден.",
  route: "Адрес не найден.",
  outage: "Отключение не найдено.",
};
