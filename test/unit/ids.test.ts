import { describe, expect, it } from 'vitest';
import { newId, typeOfId } from '../../src/core/ids';

describe('ids', () => {
  it('are prefixed by type and round-trip through typeOfId', () => {
    const id = newId('Dataset');
    expect(id).toMatch(/^ds_[0-9A-Z]{26}$/);
    expect(typeOfId(id)).toBe('Dataset');
    expect(typeOfId(newId('ModelVersion'))).toBe('ModelVersion');
  });

  it('sort in creation order, even within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => newId('Model'));
    expect([...ids].sort()).toEqual(ids);
  });

  it('reject malformed ids', () => {
    for (const bad of ['', 'ds', 'ds_', 'xx_01JZZZZZZZZZZZZZZZZZZZZZZZ', 'ds_01JZZZZZZZZZZZZZZZZZZZZZZ', 'ds_01JZZZZZZZZZZZZZZZZZZZZZZu', "ds_' OR 1=1"]) {
      expect(typeOfId(bad), bad).toBeNull();
    }
  });
});
