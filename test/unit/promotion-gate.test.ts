import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { checkGate } from '../../src/modules/models/promotion-gate';

describe('checkGate', () => {
  it('passes a higher-is-better metric at or above the threshold, fails below it with the numbers', () => {
    expect(checkGate({ metric: 'auc', threshold: 0.75, mustBeatCurrent: false }, { auc: 0.75 }, null).passed).toBe(true);
    const failed = checkGate({ metric: 'auc', threshold: 0.75, mustBeatCurrent: false }, { auc: 0.7123 }, null);
    expect(failed).toMatchObject({ passed: false, candidate: 0.7123, threshold: 0.75, current: null });
    expect(failed.summary).toBe('auc 0.7123 < threshold 0.75');
  });

  it('reads the threshold as a ceiling for lower-is-better metrics', () => {
    expect(checkGate({ metric: 'rmse', threshold: 10, mustBeatCurrent: false }, { rmse: 9.5 }, null).passed).toBe(true);
    const failed = checkGate({ metric: 'rmse', threshold: 10, mustBeatCurrent: false }, { rmse: 12 }, null);
    expect(failed.passed).toBe(false);
    expect(failed.summary).toBe('rmse 12 > threshold 10');
  });

  it('with mustBeatCurrent compares with the live version, and passes when nothing is live', () => {
    const gate = { metric: 'auc', threshold: null, mustBeatCurrent: true };
    expect(checkGate(gate, { auc: 0.8 }, { auc: 0.79 })).toMatchObject({ passed: true, current: 0.79 });
    const worse = checkGate(gate, { auc: 0.78 }, { auc: 0.79 });
    expect(worse.passed).toBe(false);
    expect(worse.summary).toBe("auc 0.78 < the live version's 0.79");
    expect(checkGate(gate, { auc: 0.5 }, null).passed).toBe(true);
    expect(checkGate({ metric: 'mae', threshold: null, mustBeatCurrent: true }, { mae: 3 }, { mae: 2 }).passed).toBe(false);
  });

  it('reports both failures at once', () => {
    const both = checkGate({ metric: 'auc', threshold: 0.9, mustBeatCurrent: true }, { auc: 0.7 }, { auc: 0.8 });
    expect(both.summary).toBe("auc 0.7 < threshold 0.9; auc 0.7 < the live version's 0.8");
  });

  it('fails a candidate whose evaluation lacks the metric (a gate that cannot be checked must not pass)', () => {
    const missing = checkGate({ metric: 'auc', threshold: 0.5, mustBeatCurrent: false }, { rmse: 1 }, null);
    expect(missing).toMatchObject({ passed: false, candidate: null });
    expect(missing.summary).toMatch(/has no auc/);
  });
});
