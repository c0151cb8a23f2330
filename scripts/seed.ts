import 'reflect-metadata';
import { loadConfig } from '../src/core/config';
import { startServer } from '../src/server/start-server';
import { seedDemoData } from '../seeds';

/** `npm run seed`: loads the demo data into the configured database when it is empty. */
async function main() {
  let seeded = false;
  // The server's own start path (migrations, keys, modules), without listening.
  const server = await startServer(loadConfig(), { listen: false, seed: async (services) => { seeded = await seedDemoData(services); } });
  await server.close();
  console.log(seeded ? 'seeded demo datasets and models' : 'database already has datasets or models; nothing seeded');
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
