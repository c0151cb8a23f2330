import type { EventBus as Bus } from '../../engines/events/event-bus';

/**
 * Every pub/sub topic and its `[routing id, payload]`. Empty here: each module adds the topics it
 * publishes in its `<name>.topics.ts` (declaration merging). Payloads carry ids rather than rows,
 * so they survive a trip through Redis unchanged and subscribers read the current row.
 */
export interface Topics {}

/** The event bus, typed with every module's topics. */
export type EventBus = Bus<{ [K in keyof Topics]: Topics[K] }>;
