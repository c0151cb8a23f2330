import { randomBytes } from 'node:crypto';
import { afterAll, describe } from 'vitest';
import { createLogger } from '../../src/core/logger';
import { RedisConnections } from '../../src/engines/cluster/redis-connections';
import { BullMqQueue } from '../../src/engines/jobs/bullmq-queue';
import { queueContract } from '../support/queue-contract';
import { testRedisUrl } from '../support/test-server';

// The same contract as the in-process queue (test/unit/training-infra.test.ts), on BullMQ.
const redis = new RedisConnections({ url: testRedisUrl()!, prefix: `queue-${randomBytes(4).toString('hex')}` }, createLogger('warn'));
afterAll(() => redis.close());

describe('BullMqQueue', () => {
  let n = 0;
  queueContract((options) => new BullMqQueue(`contract-${n++}`, options, redis, { lockMs: 5000, stalledIntervalMs: 5000 }, createLogger('warn')));
});
