import { defineModule } from '../../platform/modules';
import { appPasswordRoutes } from './app-passwords.routes';
import { AppPasswordAuth } from './app-passwords.service';
import { seedDavDemo } from './dav.demo';
import { davRoutes } from './dav.routes';

/** CardDAV and CalDAV for phones and calendar apps, signed in with per-member app passwords. */
export const davModule = defineModule({
  name: 'dav',
  routes: ({ database, records, config }) => {
    const auth = new AppPasswordAuth(database);
    return async (app) => {
      await app.register(appPasswordRoutes({ database, baseUrl: config.baseUrl, auth }));
      await app.register(davRoutes({ database, records, baseUrl: config.baseUrl, auth }));
    };
  },
  demo: seedDavDemo,
});
