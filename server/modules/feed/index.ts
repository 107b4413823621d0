import { defineModule } from '../../platform/modules';
import { feedConsumer } from './feed.consumer';
import { seedFeedDemo } from './feed.demo';
import { feedRoutes } from './feed.routes';
import { feedStream } from './feed.stream';

export { FEED_CHANNEL, FEED_OBJECTS } from './feed.consumer';

/**
 * The workspace activity feed: new and changed records, won and lost opportunities,
 * conversions and comments (from the event stream), and colleague messages with
 * threads; live over the notifications WebSocket.
 */
export const feedModule = defineModule({
  name: 'feed',
  routes: feedRoutes,
  streams: (deps) => [feedStream(deps)],
  work: () => ({ consumers: [feedConsumer()] }),
  demo: seedFeedDemo,
});
