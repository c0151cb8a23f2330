import { Cron } from 'croner';
import { badInput } from '../../core/errors';

/** A checked cron expression in a time zone (croner: 5 fields, or 6 with seconds first). */
export function cronOf(expression: string, timezone: string): Cron {
  if (expression.length > 120) throw badInput('cron is at most 120 characters', { field: 'input.cron' });
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw badInput(`${JSON.stringify(timezone.slice(0, 80))} is not a time zone (an IANA name such as Europe/Zurich, or UTC)`, { field: 'input.timezone' });
  }
  let cron: Cron;
  try {
    cron = new Cron(expression, { timezone, paused: true });
  } catch (error) {
    throw badInput(`cron ${JSON.stringify(expression)} is not valid: ${(error as Error).message}`, { field: 'input.cron' });
  }
  if (!cron.nextRun(new Date())) throw badInput(`cron ${JSON.stringify(expression)} never fires`, { field: 'input.cron' });
  return cron;
}

/**
 * The missed-tick rule. A schedule due at `due` is checked at `now`: if it is due, it fires ONCE,
 * however many ticks passed while nobody was there to fire them (a server down for a day fires a
 * daily policy once, not once per missed day), and the next due time is the first tick after now.
 */
export function checkDue(cron: Pick<Cron, 'nextRun'>, due: Date, now: Date): { fire: boolean; next: Date } {
  if (due.getTime() > now.getTime()) return { fire: false, next: due };
  return { fire: true, next: cron.nextRun(now) ?? new Date(8.64e15) };
}
