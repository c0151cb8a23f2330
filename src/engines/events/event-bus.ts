import { setMaxListeners } from 'node:events';
import { createPubSub, type PubSub } from '@graphql-yoga/subscription';

/** Topic name → `[routing id, payload]` (or `[payload]`, or nothing), as @graphql-yoga/subscription types them. */
export type TopicArgs = { [topic: string]: [] | [unknown] | [number | string, unknown] };

/** Publishes and subscribes by topic and routing id; subscribers of one run hear only that run. */
export type EventBus<T extends TopicArgs> = PubSub<T>;

/**
 * The event bus: in this process by default, or over Redis pub/sub when an `eventTarget` from
 * redisEventTarget is given (every instance then hears every event).
 */
export function createEventBus<T extends TopicArgs>(eventTarget?: EventTarget): EventBus<T> {
  if (eventTarget) return createPubSub<T>({ eventTarget: eventTarget as never });
  // Every subscriber of a topic is a listener on one EventTarget; a thousand watching one run is
  // the design, not a leak, so Node's 10-listener warning is switched off for this target.
  const local = new EventTarget();
  setMaxListeners(0, local);
  return createPubSub<T>({ eventTarget: local });
}
