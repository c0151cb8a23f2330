import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Real monthly stock prices shipped by the vega-datasets npm package (data/sp500.csv and
 * data/stocks.csv), with its `Jan 1 2000` dates rewritten as ISO dates.
 */
export function vegaCsv(file: 'sp500.csv' | 'stocks.csv'): string {
  // The package exports only its JS entry (build/index.js); its data/ folder sits one level up.
  const root = path.resolve(path.dirname(require.resolve('vega-datasets')), '..');
  const text = readFileSync(path.join(root, 'data', file), 'utf8');
  return text.replace(/([A-Z][a-z]{2}) (\d{1,2}) (\d{4})/g, (_, month: string, day: string, year: string) =>
    `${year}-${String(MONTHS.indexOf(month) + 1).padStart(2, '0')}-${day.padStart(2, '0')}`,
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
