/** The HTTP status of a refusal that carries none of its own, by its extensions.code (400 for the rest). */
const STATUS: Record<string, number> = { BAD_REQUEST: 400, BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, RATE_LIMITED: 429 };

export function statusOfCode(code: unknown): number {
  return STATUS[String(code)] ?? 400;
}
