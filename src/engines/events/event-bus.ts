import { setMaxListeners } from 'node:events';
import { createPubSub, type PubSub } from '@graphql-yoga/subscription';

/** Topic name → `[routing id, payload]` (or `[payload]`, or nothing), as @graphql-yoga/subscription types them. */
export type TopicArgs = { [topic: string]: [] | [unknown] | [number | string, unknown] };

/** Publishes and subscribes by topic and routing id; subscribers of one run hear only that run. */
export type EventBus<T extends TopicArgs> = PubSub<T>;

/** The in-process event bus (a Redis-backed one replaces it when the app is scaled out). */
export function createEventBus<T extends TopicArgs>(): EventBus<T> {
  // Every subscriber of a topic is a listener on one EventTarget; a thousand watching one run is
  // the design, not a leak, so Node's 10-listener warning is switched off for this target.
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  return createPubSub<T>({ eventTarget });
}
