import type Redis from 'ioredis';
import type { Logger } from '../../core/logger';

type Listener = ((event: Event) => void) | { handleEvent(event: Event): void };

/** An EventTarget whose listeners hear other processes too, and can tell when they do. */
export interface ClusterEventTarget extends EventTarget {
  /**
   * Resolves once Redis has confirmed the subscription to `type` (at once if nobody listens to
   * it): an event published after that reaches this process. A reader that replays stored state
   * waits for this before reading, so nothing published in between is missed.
   */
  subscribed(type: string): Promise<void>;
  /**
   * Calls `listener` each time the subscriber connection comes back after it was lost, once the
   * channels are subscribed again: events published meanwhile never reached this process.
   */
  onInterrupted(listener: () => void): () => void;
}

/** How long `subscribed` waits for Redis before the caller goes on without the guarantee. */
const SUBSCRIBE_WAIT_MS = 2000;

/**
 * An EventTarget over Redis pub/sub, for @graphql-yoga/subscription's createPubSub: an event
 * dispatched on any instance reaches the listeners of its type on every instance. Each message is
 * decoded once per instance and the one object handed to every local listener, so subscriptions
 * that share execution by event identity still share it.
 *
 * Written here rather than taken from @graphql-yoga/redis-event-target, which leaves the
 * promises of PUBLISH and SUBSCRIBE unhandled (a Redis outage would crash the process), has no
 * channel prefix (test servers and clusters share one Redis), and loses Dates in payloads.
 */
export function redisEventTarget(publisher: Redis, subscriber: Redis, prefix: string, log: Logger): ClusterEventTarget {
  const listeners = new Map<string, Set<Listener>>();
  const confirmed = new Map<string, Promise<unknown>>();
  const channelOf = (type: string) => `${prefix}:events:${type}`;
  const typeOf = (channel: string) => channel.slice(`${prefix}:events:`.length);
  const interrupted = new Set<() => void>();
  let lost = false;
  subscriber.on('close', () => { lost = true; });
  subscriber.on('ready', () => {
    if (!lost) return;
    lost = false;
    // Subscribed again (ioredis does it too; SUBSCRIBE is idempotent) so that `subscribed` waits
    // for a confirmation from after the outage, then everyone listening is told.
    const types = [...listeners.keys()];
    for (const type of types) confirmed.set(type, subscriber.subscribe(channelOf(type)).catch(() => undefined));
    void Promise.all(types.map((type) => confirmed.get(type))).then(() => {
      log.warn({ listeners: interrupted.size }, 'events were missed while Redis was away; open streams are told to resume');
      for (const listener of [...interrupted]) listener();
    });
  });

  subscriber.on('message', (channel: string, message: string) => {
    const found = listeners.get(typeOf(channel));
    if (!found) return;
    let detail: unknown;
    try {
      detail = message === '' ? undefined : decodeEvent(message);
    } catch (error) {
      log.error({ err: error, channel }, 'undecodable event on the bus');
      return;
    }
    const event = new CustomEvent(typeOf(channel), { detail });
    for (const listener of [...found]) {
      try {
        if (typeof listener === 'function') listener(event);
        else listener.handleEvent(event);
      } catch (error) {
        log.error({ err: error, channel }, 'an event listener failed');
      }
    }
  });

  return {
    addEventListener(type: string, listener: Listener | null) {
      if (!listener) return;
      let found = listeners.get(type);
      if (!found) {
        listeners.set(type, (found = new Set()));
        // ioredis subscribes again by itself after a reconnect.
        confirmed.set(type, subscriber.subscribe(channelOf(type)).catch((error: Error) => log.warn({ channel: channelOf(type), error: error.message }, 'could not subscribe; retried on reconnect')));
      }
      found.add(listener);
    },
    removeEventListener(type: string, listener: Listener | null) {
      const found = listeners.get(type);
      if (!found || !listener) return;
      found.delete(listener);
      if (found.size > 0) return;
      listeners.delete(type);
      confirmed.delete(type);
      subscriber.unsubscribe(channelOf(type)).catch(() => undefined);
    },
    dispatchEvent(event: Event) {
      const detail = (event as CustomEvent).detail;
      publisher.publish(channelOf(event.type), detail === undefined ? '' : encodeEvent(detail))
        .catch((error: Error) => log.warn({ channel: channelOf(event.type), error: error.message }, 'event not published: Redis is away'));
      return true;
    },
    onInterrupted(listener: () => void) {
      interrupted.add(listener);
      return () => { interrupted.delete(listener); };
    },
    async subscribed(type: string) {
      const pending = confirmed.get(type);
      if (!pending) return;
      let timer: NodeJS.Timeout | undefined;
      // Redis away: go on after a while (the replay may then miss what was published meanwhile,
      // as live events are lost anyway while Redis is away) rather than hold the subscriber.
      await Promise.race([pending, new Promise((resolve) => { timer = setTimeout(resolve, SUBSCRIBE_WAIT_MS); })]);
      clearTimeout(timer);
    },
  } as ClusterEventTarget;
}

/** JSON, with Dates kept as Dates (tagged), so a payload reads the same on every instance. */
export function encodeEvent(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, encoded) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.toISOString() } : encoded;
  });
}

export function decodeEvent(text: string): unknown {
  return JSON.parse(text, (_key, value) => {
    if (value && typeof value === 'object' && typeof value.$date === 'string' && Object.keys(value).length === 1) return new Date(value.$date);
    return value;
  });
}
