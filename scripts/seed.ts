import 'reflect-metadata';
import { loadConfig } from '../src/core/config';
import { Database } from '../src/engines/db/database';
import { createLogger } from '../src/core/logger';
import { createServices } from '../src/server/services';
import { seedDemoData } from '../seeds';

/** `npm run seed`: loads the demo data into the configured database when it is empty. */
async function main() {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const db = await Database.open(config.database, log);
  try {
    const seeded = await seedDemoData(createServices(config, db, log));
    console.log(seeded ? 'seeded demo datasets and models' : 'database already has datasets or models; nothing seeded');
  } finally {
    await db.close();
  }
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
