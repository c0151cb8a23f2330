import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import { LocalEventTarget } from './local-event-target';
import type { ClusterEventTarget } from './redis-event-target';
import { topicIterator } from './topic-iterator';

/** Topic name → `[routing id, payload]` (or `[payload]`, or nothing), as @graphql-yoga/subscription types them. */
export type TopicArgs = { [topic: string]: [] | [unknown] | [number | string, unknown] };

/** Publishes and subscribes by topic and routing id; subscribers of one run hear only that run. */
export type EventBus<T extends TopicArgs> = PubSub<T> & {
  /**
   * Resolves once a subscription opened (iterated) on `topic` and `id` hears events published
   * anywhere from now on: at once in process, after Redis confirms it in the cluster form.
   */
  subscribed(topic: keyof T & string, id?: string | number): Promise<void>;
  /** Calls `listener` whenever events may have been missed (Redis was away and is back); never in process. Returns the unsubscribe. */
  onInterrupted(listener: () => void): () => void;
};

/**
 * The event bus: in this process by default, or over Redis pub/sub when an `eventTarget` from
 * redisEventTarget is given (every instance then hears every event).
 */
export function createEventBus<T extends TopicArgs>(eventTarget?: ClusterEventTarget): EventBus<T> {
  if (eventTarget) {
    const subscribed = (topic: string, id?: string | number) => eventTarget.subscribed(routingKey(topic, id));
    return Object.assign(createPubSub<T>({ eventTarget: eventTarget as never }), { subscribed, subscribe: subscribeOn(eventTarget) as never, onInterrupted: (listener: () => void) => eventTarget.onInterrupted(listener) });
  }
  // Every subscriber of a topic is a listener on one target; a thousand watching one run is the
  // design (LocalEventTarget has no listener warning to switch off).
  const local = new LocalEventTarget();
  return Object.assign(createPubSub<T>({ eventTarget: local }), { subscribed: async () => undefined, subscribe: subscribeOn(local) as never, onInterrupted: () => () => undefined });
}

/** The routing key joins topic and id as @graphql-yoga/subscription's publish does. */
const routingKey = (topic: string, id?: string | number) => (id === undefined ? topic : `${topic}:${id}`);

/** Subscriptions as light iterators instead of the pub/sub's Repeaters (see topicIterator); publish stays the pub/sub's. */
const subscribeOn = (target: EventTarget) => (topic: string, id?: string | number) => topicIterator(target, routingKey(topic, id));
