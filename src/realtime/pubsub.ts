import { createPubSub } from '@graphql-yoga/subscription';

/**
 * Every pub/sub topic and its payload. Payloads carry ids, not objects, so they survive a trip
 * through Redis unchanged and subscribers read the current row.
 */
export type TopicMap = {
  /** A dataset got a new version; routed by dataset id. */
  DATASET_VERSION_CREATED: [datasetId: string, payload: { datasetVersionId: string }];
};

/** The in-process event bus (a Redis-backed one replaces it when the app is scaled out). */
export function createEventBus() {
  return createPubSub<TopicMap>();
}

export type EventBus = ReturnType<typeof createEventBus>;
