/**
 * Thrown into a subscriber that fell too far behind; it can reconnect (with sinceStep for metrics)
 * and lose nothing. Clients see SERVICE_UNAVAILABLE with `reason: SUBSCRIBER_TOO_SLOW`.
 */
export class SlowSubscriberError extends Error {
  constructor(limit: number) {
    super(`subscriber fell more than ${limit} events behind and was disconnected; reconnect (with sinceStep for metrics) to resume`);
  }
}

/**
 * Thrown into every open subscription when events may have been missed (Redis was away): it can
 * subscribe again (with sinceStep for metrics) and lose nothing. Clients see SERVICE_UNAVAILABLE
 * with `reason: STREAM_INTERRUPTED`.
 */
export class StreamInterruptedError extends Error {
  constructor() {
    super('events were interrupted (the connection to Redis was lost and is back); subscribe again (with sinceStep for metrics) to resume without a gap');
  }
}
