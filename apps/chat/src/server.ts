import { connectRevocationList } from '@mini/auth';
import { poolOptionsFromConfig } from '@mini/db';
import { runService } from '@mini/service';
import { createApp } from './app.ts';
import { configSchema } from './config.ts';
import { connectDatabase } from './db.ts';
import { attachRealtime } from './realtime/realtime.ts';
import { createRoomEvents } from './realtime/room-events.ts';

// Shared by the REST routes and the sockets: a message stored through either reaches the sockets.
const events = createRoomEvents();

await runService({
  name: 'chat',
  configSchema,
  configDir: import.meta.dirname + '/..',
  database: ({ config, logger }) =>
    connectDatabase(config.DATABASE_URL, logger, poolOptionsFromConfig(config)),
  revocation: ({ config, logger }) => connectRevocationList(config, logger, 'chat'),
  createApp: ({ config, db, logger, revocation }) =>
    createApp({ config, db, logger, events, ...(revocation ? { revocationList: revocation } : {}) }),
  // socket.io on the same port as the REST API.
  onListen: (server, { config, db, logger, revocation }) =>
    attachRealtime(server, { config, db, logger, events, revocationList: revocation }),
});
