import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { serializeError } from '../../src/core/logger';

describe('error logging', () => {
  it('never writes the parameters of a failed SQL statement, and cuts the statement short', () => {
    const driverError = Object.assign(new Error('NOT NULL constraint failed: training_metric.value'), { parameters: ['run_x', 'loss', 1, 1, null, 'customer 4711'], sql: 'INSERT …' });
    const error = new QueryFailedError(`INSERT INTO training_metric (run_id, name, step, epoch, value, recorded_at) VALUES ${'(?, ?, ?, ?, ?, ?), '.repeat(400)}`, ['run_x', 'loss', 1, 1, null, 'customer 4711'], driverError);
    const logged = JSON.stringify(serializeError(error));
    expect(logged).not.toContain('customer 4711');
    expect(logged).toMatch(/NOT NULL constraint failed/);
    expect(logged.length).toBeLessThan(3000);
  });
});
