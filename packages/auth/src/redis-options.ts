import type { RedisOptions } from 'ioredis';

export interface BoundedRedisOptions {
  /**
   * The longest any one step may take: opening the connection, a command's answer (even while it waits
   * for a connection), and silence on an open connection. Default 500 ms.
   */
  timeoutMs?: number;
  /** The longest pause between reconnection attempts while Redis is down. Default 200 ms. */
  reconnectMaxDelayMs?: number;
}

/**
 * ioredis options for a Redis that is a helper, not a must: whatever Redis does (refuse, hang, vanish), a
 * command settles within `timeoutMs`, and the client is back within about `reconnectMaxDelayMs` of Redis.
 *
 * ioredis' defaults suit a cache you cannot do without: no command timeout, 10 s to connect, 20 reconnection
 * attempts per command, up to 5 s between attempts. A request waiting on that for seconds is worse than
 * the fallback each caller has (fail open, or keep the work for later). `socketTimeout` matters as much as
 * `commandTimeout`: a connection whose peer froze or vanished stays "connected" for minutes (TCP gives up
 * late), and only silence detection drops it so that a reconnection can find Redis again.
 */
export function boundedRedisOptions(options: BoundedRedisOptions = {}): RedisOptions {
  const timeoutMs = options.timeoutMs ?? 500;
  const reconnectMaxDelayMs = options.reconnectMaxDelayMs ?? 200;
  return {
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // A command issued while disconnected fails after one failed reconnection instead of twenty.
    maxRetriesPerRequest: 1,
    // 50, 100, 200 ms ... capped: Redis coming back is noticed quickly, and a refused attempt costs nothing.
    retryStrategy: (times) => Math.min(50 * 2 ** (times - 1), reconnectMaxDelayMs),
  };
}
