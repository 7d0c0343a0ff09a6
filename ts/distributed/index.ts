/**
 * `fastkernels/distributed`: scale-out on BullMQ workers over Redis
 * (batch segmentation, sharded GMM fits, sharded point matching). Only this subpath loads bullmq;
 * `import "fastkernels"` stays as light as before.
 */
export { connect } from "./client";
export type { ConnectOptions, DistributedClient } from "./client";
export { startWorker, DEFAULT_QUEUE } from "./worker";
export type { StartWorkerOptions, WorkerHandle } from "./worker";
export { shardFile, shardLengths } from "./shards";
export type { ShardFileOptions } from "./shards";
export { JOB_NAMES, PAYLOAD_VERSION, SHARD_DTYPES } from "./schema";
export type { ShardRef, ShardDtype, JobName } from "./schema";
export type { DistributedFitOptions, FitCallOptions, ShardedFitProgress } from "./fit-gmm";
export type { SegmentBatchOptions, SegmentBatchProgress, SegmentCallOptions } from "./segment-images";
export type { MatchCallOptions, MatchPointsResult } from "./match-batch";
export { matchOutputPath } from "./match-batch";
export { redactRedisUrl } from "./redact";
export { DataRootError } from "./data-root";
