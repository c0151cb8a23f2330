import 'reflect-metadata';
import { loadConfig } from '../src/config';
import { Database } from '../src/db/database';
import { createLogger } from '../src/logger';
import { createServices } from '../src/services';
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
