/**
 * How clients and workers name their Redis: a URL string or ioredis
 * options. Blocking connections (workers, queue events) need
 * `maxRetriesPerRequest: null`, as BullMQ requires.
 */
import type { ConnectionOptions } from "bullmq";

import { show } from "../validate";

export type RedisTarget = string | Record<string, unknown>;

export function redisConnection(target: RedisTarget, blocking: boolean): ConnectionOptions {
  if (typeof target === "string") {
    if (!/^rediss?:\/\//.test(target)) throw new TypeError(`the Redis connection must be a redis:// or rediss:// URL or ioredis options, got a string that is not one`);
    return { url: target, ...(blocking ? { maxRetriesPerRequest: null } : {}) };
  }
  if (target === null || typeof target !== "object" || Array.isArray(target)) {
    throw new TypeError(`the Redis connection must be a redis:// URL or ioredis options, got ${show(target)}`);
  }
  return { ...target, ...(blocking ? { maxRetriesPerRequest: null } : {}) } as ConnectionOptions;
}
