import path from 'node:path';

/** The data files tests read, inside the repository (see test/fixtures/data/README.md for source and licence). */
export const DATA_DIR = path.resolve(__dirname, '../fixtures/data');
