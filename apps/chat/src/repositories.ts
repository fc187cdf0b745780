import { createStore as createKitStore, type Store as KitStore } from '@mini/db';
import type { Database, DbClient } from './db.ts';
import { messagesRepository } from './messages/messages.repository.ts';
import { membersRepository } from './members/members.repository.ts';
import { roomsRepository } from './rooms/rooms.repository.ts';

function repositoriesOn(db: DbClient) {
  return {
    rooms: roomsRepository(db),
    members: membersRepository(db),
    messages: messagesRepository(db),
  };
}

export type Repositories = ReturnType<typeof repositoriesOn>;

/** The repositories, and `transaction(fn)` to run several of them at once (see @mini/db's createStore). */
export type Store = KitStore<Repositories>;

export function createStore(db: Database): Store {
  return createKitStore(db, repositoriesOn);
}
