import { expect, it } from 'vitest';
import { columnRows, type CheckedColumns } from '../../src/ml/columns';

it('rows rebuilt from columns keep a feature named __proto__ as a field, as JSON rows do', () => {
  const columns: CheckedColumns = {
    rows: 2,
    byName: new Map([
      ['AGE', { values: [30, 41], index: 0, numbers: true }],
      ['__proto__', { values: [1, null], index: 1, numbers: true }],
    ]),
  };
  const rows = columnRows(columns, [1, 0]);
  expect(rows).toEqual([JSON.parse('{"AGE":41,"__proto__":null}'), JSON.parse('{"AGE":30,"__proto__":1}')]);
  expect(Object.keys(rows[1])).toEqual(['AGE', '__proto__']);
  expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
  expect(JSON.stringify(rows[1])).toBe('{"AGE":30,"__proto__":1}');
});
