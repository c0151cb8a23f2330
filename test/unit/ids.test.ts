import { describe, expect, it } from 'vitest';
import { isIdOf, newId, prefixOfId } from '../../src/core/ids';

const Dataset = { idPrefix: 'ds' };
const ModelVersion = { idPrefix: 'mv' };

describe('ids', () => {
  it('are prefixed by type and round-trip through prefixOfId', () => {
    const id = newId(Dataset);
    expect(id).toMatch(/^ds_[0-9A-Z]{26}$/);
    expect(prefixOfId(id)).toBe('ds');
    expect(isIdOf(id, Dataset)).toBe(true);
    expect(isIdOf(newId(ModelVersion), Dataset)).toBe(false);
  });

  it('sort in creation order, even within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => newId(Dataset));
    expect([...ids].sort()).toEqual(ids);
  });

  it('reject malformed ids', () => {
    for (const bad of ['', 'ds', 'ds_', '_01JZZZZZZZZZZZZZZZZZZZZZZZ', 'DS_01JZZZZZZZZZZZZZZZZZZZZZZZ', 'ds_01JZZZZZZZZZZZZZZZZZZZZZZ', 'ds_01JZZZZZZZZZZZZZZZZZZZZZZu', "ds_' OR 1=1", "x' OR '1_01JZZZZZZZZZZZZZZZZZZZZZZZ"]) {
      expect(prefixOfId(bad), bad).toBeNull();
    }
  });
});
