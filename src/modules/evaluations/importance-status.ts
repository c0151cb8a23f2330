import { registerEnumType } from 'type-graphql';

/** Where an evaluation's permutation importance stands: it is computed after the run has SUCCEEDED. */
export enum ImportanceStatus {
  PENDING = 'PENDING',
  READY = 'READY',
  FAILED = 'FAILED',
}

registerEnumType(ImportanceStatus, {
  name: 'ImportanceStatus',
  description: 'PENDING: the run has SUCCEEDED and its version is usable; the training child is still computing the permutation importance. READY: featureImportance holds it (null when there was nothing to measure). FAILED: it could not be computed; importanceError says why (the run and its version are not affected).',
});
