/**
 * `connect({ redis, queue })`: a client of fastkernels workers. It only
 * talks to Redis (BullMQ queue, flow producer, queue events); data stays
 * on the storage the workers share, jobs carry references to it.
 */
import { FlowProducer, Queue, QueueEvents } from "bullmq";

import { show } from "../validate";
import { redisConnection } from "./connection";
import type { RedisTarget } from "./connection";
import { fitGmmSharded } from "./fit-gmm";
import type { DistributedFitOptions, FitCallOptions } from "./fit-gmm";
import type { ShardRef } from "./schema";
import { segmentImagesBatch } from "./segment-images";
import { matchPointsBatch } from "./match-batch";
import type { MatchCallOptions, MatchPointsResult } from "./match-batch";
import type { SegmentBatchOptions, SegmentCallOptions } from "./segment-images";
import type { GmmMvFit } from "../gmm/multivariate/types";
import type { SegmentSummary } from "../segment/types";
import { DEFAULT_QUEUE } from "./worker";

export interface ConnectOptions {
  /** `redis://[user:password@]host:port[/db]` or ioredis options. */
  redis: RedisTarget;
  /** Queue name (the workers' `--queue`). Default `"fastkernels"`. */
  queue?: string;
}

/** What the drivers share: the queue, its flow producer and its events. */
export interface ClientParts {
  queue: Queue;
  flows: FlowProducer;
  events: QueueEvents;
}

export interface DistributedClient {
  /** EM over sharded data: one BullMQ flow per iteration; the bits of in-process `fitGmm` (see the README). */
  fitGmm(shards: readonly ShardRef[], options: DistributedFitOptions, call?: FitCallOptions): Promise<GmmMvFit>;
  /** One `segment-image` job per image; one summary per image, in order. */
  segmentImages(paths: readonly string[], options: SegmentBatchOptions, call?: SegmentCallOptions): Promise<SegmentSummary[]>;
  /** One `match-points` job per shard of points against a serialised PolygonIndex; the result file references, in shard order. */
  matchPoints(indexPath: string, pointShards: readonly ShardRef[], maxDist: number, call?: MatchCallOptions): Promise<MatchPointsResult[]>;
  /** The BullMQ queue (job counts, pause, clean). */
  readonly queue: Queue;
  close(): Promise<void>;
}

export async function connect(options: ConnectOptions): Promise<DistributedClient> {
  if (options === null || typeof options !== "object") throw new TypeError(`options must be { redis, queue? }, got ${show(options)}`);
  const name = options.queue ?? DEFAULT_QUEUE;
  if (typeof name !== "string" || !/^[A-Za-z0-9_.-]{1,100}$/.test(name)) throw new TypeError(`options.queue must be 1 to 100 characters of A-Z, a-z, 0-9, _, . and -, got ${show(name)}`);
  const queue = new Queue(name, { connection: redisConnection(options.redis, false) });
  const flows = new FlowProducer({ connection: redisConnection(options.redis, false) });
  const events = new QueueEvents(name, { connection: redisConnection(options.redis, true) });
  // Errors surface through the calls; without listeners they would be thrown as unhandled events.
  queue.on("error", () => undefined);
  flows.on("error", () => undefined);
  events.on("error", () => undefined);
  try {
    await Promise.all([queue.waitUntilReady(), flows.waitUntilReady(), events.waitUntilReady()]);
  } catch (error) {
    await Promise.allSettled([queue.close(), flows.close(), events.close()]);
    throw error;
  }
  const parts: ClientParts = { queue, flows, events };
  return {
    queue,
    fitGmm: (shards, fitOptions, call) => fitGmmSharded(parts, shards, fitOptions, call),
    segmentImages: (paths, segmentOptions, call) => segmentImagesBatch(parts, paths, segmentOptions, call),
    matchPoints: (indexPath, pointShards, maxDist, call) => matchPointsBatch(parts, indexPath, pointShards, maxDist, call),
    close: async () => {
      await Promise.allSettled([events.close(), flows.close(), queue.close()]);
    },
  };
}
