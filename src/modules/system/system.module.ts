import { defineModule } from '../shared/module-definition';
import { SystemResolver } from './system.resolver';

/** What this server is and runs on (systemInfo). */
export const systemModule = defineModule({
  name: 'system',
  resolvers: [SystemResolver],
});
