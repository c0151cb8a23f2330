import { expect, it } from 'vitest';
import { bucketOf, goesToCanary } from '../../src/engines/serving/canary-split';
import { createRandom } from '../../src/ml/random';

it('sends a routing key to the same version every time', () => {
  for (let k = 0; k < 200; k++) {
    const first = goesToCanary('chal_a', 30, `customer-${k}`);
    for (let i = 0; i < 5; i++) expect(goesToCanary('chal_a', 30, `customer-${k}`)).toBe(first);
  }
});

it('sends trafficPercent of 10,000 keys to the canary, within ±2 points, for several shares', () => {
  for (const percent of [1, 10, 30, 50, 90, 99]) {
    let canary = 0;
    for (let k = 0; k < 10_000; k++) if (goesToCanary('chal_b', percent, `customer-${k}`)) canary++;
    expect(Math.abs(canary / 100 - percent)).toBeLessThanOrEqual(2);
  }
});

it('draws each key afresh for another challenger (the next canary is not the same customers)', () => {
  let same = 0;
  for (let k = 0; k < 1000; k++) if (bucketOf('chal_one', `c${k}`) === bucketOf('chal_two', `c${k}`)) same++;
  expect(same).toBeLessThan(40); // ~10 expected by chance
});

it('without a routing key, splits requests by a weighted coin', () => {
  const random = createRandom(1);
  let canary = 0;
  for (let i = 0; i < 10_000; i++) if (goesToCanary('chal_c', 30, null, random)) canary++;
  expect(Math.abs(canary / 100 - 30)).toBeLessThanOrEqual(2);
});
