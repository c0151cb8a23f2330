/** Escapes LIKE wildcards with `!`, an escape character SQLite and MySQL read the same way (use `ESCAPE '!'`). */
export function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, (c) => `!${c}`);
}
