/**
 * A typed aimass client: the documents are generated from examples.graphql against schema.graphql
 * (`npm run clients:check`), so every variable and result field below is type-checked, and a
 * schema change that breaks one of these operations fails CI.
 */
import { print } from 'graphql';
import { GraphQLClient } from 'graphql-request';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { DatasetColumnsDocument, ModelByNameDocument, StartTrainingDocument, WatchRunDocument, type WatchRunSubscription } from './gql/graphql';

export async function trainAndWatch(url: string, key: string): Promise<void> {
  const api = new GraphQLClient(url, { headers: { authorization: `Bearer ${key}` } });
  const [{ model }, { datasets }] = await Promise.all([api.request(ModelByNameDocument), api.request(DatasetColumnsDocument)]);
  if (!model || !datasets.edges[0]) throw new Error('load the demo data first (SEED_DEMO)');
  const { startTrainingRun } = await api.request(StartTrainingDocument, { creditModelId: model.id, creditDatasetId: datasets.edges[0].node.id });
  const ws = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` } });
  for await (const { data } of ws.iterate<WatchRunSubscription>({ query: print(WatchRunDocument), variables: { runId: startTrainingRun.id } })) {
    console.log(data?.trainingRunUpdated.status, data?.trainingRunUpdated.progress);
  }
  await ws.dispose();
}
