/**
 * A BullMQ worker whose jobs do nothing, for the distributed bench's floor
 * row: what the engine alone costs per EM round on this machine (a flow of
 * 16 children and a parent that reads their values, as a sharded fit's
 * round, with no data, no kernel and no fastkernels code).
 *
 * `node --import tsx benches/noop-worker.ts <redis url> <queue> <concurrency>`; prints "ready".
 */
import { Worker } from "bullmq";

const [url, queue, concurrency] = process.argv.slice(2);
const worker = new Worker(queue, async (job) => (job.name === "noop-round" ? Object.keys(await job.getChildrenValues()).length : { shard: job.data.shard }), {
  connection: { url, maxRetriesPerRequest: null },
  concurrency: Number(concurrency),
});
worker.on("error", () => undefined);
await worker.waitUntilReady();
console.log("ready");
process.on("SIGTERM", () => void worker.close().then(() => process.exit(0)));
