/** How an observed value is compared with a rule's threshold: the condition holds when `value <op> threshold`. */
export type Comparator = 'GT' | 'GTE' | 'LT' | 'LTE';

/** How loudly an alert is announced; carried by rules, not interpreted by the state machine. */
export type Severity = 'INFO' | 'WARNING' | 'CRITICAL';

/** The part of an alert rule the state machine needs. */
export interface RuleSpec {
  id: string;
  comparator: Comparator;
  threshold: number;
  /** The condition must hold continuously this long before an alert opens (0 = at once). */
  forSeconds: number;
  /** After an alert of this rule (and subject) resolves, a new one may not open for this long. */
  cooldownSeconds: number;
}

/**
 * One reading of what a rule watches. A rule can watch one series per subject (e.g. per model):
 * `subject` is e.g. a model id, or '' for process-wide metrics. `value` is null when there is no data.
 */
export interface Observation {
  ruleId: string;
  subject: string;
  value: number | null;
  /** Milliseconds since the epoch. */
  at: number;
}

/** A change the caller must persist and announce: an alert opened, or one resolved. */
export type AlertTransition =
  | { kind: 'open'; ruleId: string; subject: string; value: number; at: number; /** When the condition started holding. */ since: number }
  | { kind: 'resolve'; ruleId: string; subject: string; value: number | null; at: number };

/** Whether `value` breaches `threshold` under `comparator`. */
export function breaches(comparator: Comparator, value: number, threshold: number): boolean {
  switch (comparator) {
    case 'GT':
      return value > threshold;
    case 'GTE':
      return value >= threshold;
    case 'LT':
      return value < threshold;
    case 'LTE':
      return value <= threshold;
  }
}

type KeyState =
  | { phase: 'clear'; lastAt: number }
  | { phase: 'pending'; lastAt: number; since: number }
  | { phase: 'firing'; lastAt: number; openedAt: number }
  | { phase: 'cooldown'; lastAt: number; until: number };

/**
 * The alerting state machine, one state per (rule, subject):
 * CLEAR → PENDING (condition holds) → FIRING once it has held for `forSeconds` (one `open`) →
 * `resolve` when it no longer holds → COOLDOWN for `cooldownSeconds` → CLEAR.
 *
 * Pure: time arrives with each observation, so the engine can drive it from health snapshots and
 * drift runs alike, and tests drive it with plain numbers. Persisting transitions is the caller's job.
 */
export class AlertStateMachine {
  // Keyed by rule, then subject, so a rule's states can be dropped together. Clear states are kept
  // (bounded by rules × subjects) because they remember the last time seen, which orders observations.
  private readonly rules = new Map<string, Map<string, KeyState>>();

  /** Feeds one observation for (rule, subject); returns the transition it causes, or null (pending, still firing = de-duplicated, still clear, or in cool-down). */
  observe(rule: RuleSpec, observation: Observation): AlertTransition | null {
    if (observation.ruleId !== rule.id) {
      throw new Error(`Observation for rule ${observation.ruleId} fed with rule ${rule.id}`);
    }
    const { subject, at } = observation;
    const subjects = this.subjectsOf(rule.id);
    let state: KeyState = subjects.get(subject) ?? { phase: 'clear', lastAt: -Infinity };
    // A late observation (e.g. a slow drift run finishing after a newer snapshot) describes the past;
    // acting on it could reopen or resolve an alert on stale data.
    if (at < state.lastAt) return null;
    if (state.phase === 'cooldown' && at >= state.until) state = { phase: 'clear', lastAt: at };

    // NaN comes out of empty averages; it is "no data", not a reading.
    const value = observation.value === null || Number.isNaN(observation.value) ? null : observation.value;
    const holds = value !== null && breaches(rule.comparator, value, rule.threshold);
    let transition: AlertTransition | null = null;

    switch (state.phase) {
      case 'clear':
      case 'pending': {
        if (!holds) {
          // A dip (or a gap in the data) breaks "continuously": pending starts over next time.
          state = { phase: 'clear', lastAt: at };
          break;
        }
        const since = state.phase === 'pending' ? state.since : at;
        if (at - since >= rule.forSeconds * 1000) {
          transition = { kind: 'open', ruleId: rule.id, subject, value: value as number, at, since };
          state = { phase: 'firing', lastAt: at, openedAt: at };
        } else {
          state = { phase: 'pending', lastAt: at, since };
        }
        break;
      }
      case 'firing':
        // No data does not resolve: a quiet spell with no predictions must not close a latency alert
        // as if it were fixed. It resolves on the next real reading that is back within the threshold.
        if (holds || value === null) {
          state = { ...state, lastAt: at };
        } else {
          transition = { kind: 'resolve', ruleId: rule.id, subject, value, at };
          state = this.afterResolve(rule, at);
        }
        break;
      case 'cooldown':
        // A breach during cool-down neither opens nor starts pending, so a flapping metric cannot
        // page again straight away; `forSeconds` counts from the first breach after cool-down.
        state = { ...state, lastAt: at };
        break;
    }
    subjects.set(subject, state);
    return transition;
  }

  /** Alerts currently open, e.g. for /metrics and tests. */
  openCount(): number {
    let count = 0;
    for (const subjects of this.rules.values()) {
      for (const state of subjects.values()) if (state.phase === 'firing') count += 1;
    }
    return count;
  }

  /** Whether the alert of this rule for this subject is open. */
  isOpen(ruleId: string, subject: string): boolean {
    return this.rules.get(ruleId)?.get(subject)?.phase === 'firing';
  }

  /** Forget a rule (deleted or changed): returns resolve transitions for its open alerts at `at`, so they are closed rather than left dangling. */
  dropRule(ruleId: string, at: number): AlertTransition[] {
    const subjects = this.rules.get(ruleId);
    this.rules.delete(ruleId);
    if (!subjects) return [];
    const resolved: AlertTransition[] = [];
    for (const [subject, state] of subjects) {
      if (state.phase === 'firing') resolved.push({ kind: 'resolve', ruleId, subject, value: null, at });
    }
    return resolved;
  }

  /** Restores state from storage at start-up: these (rule, subject) alerts are open (opened at `openedAt`). */
  /** Forgets everything (before restoring from the database anew). */
  reset(): void {
    this.rules.clear();
  }

  restoreOpen(ruleId: string, subject: string, openedAt: number): void {
    // `openedAt` does not order observations: the first reading after a restart must count even if
    // this host's clock is behind the one that opened the alert.
    this.subjectsOf(ruleId).set(subject, { phase: 'firing', lastAt: -Infinity, openedAt });
  }

  private subjectsOf(ruleId: string): Map<string, KeyState> {
    let subjects = this.rules.get(ruleId);
    if (!subjects) this.rules.set(ruleId, (subjects = new Map()));
    return subjects;
  }

  private afterResolve(rule: RuleSpec, at: number): KeyState {
    return rule.cooldownSeconds > 0 ? { phase: 'cooldown', lastAt: at, until: at + rule.cooldownSeconds * 1000 } : { phase: 'clear', lastAt: at };
  }
}
