/** What every job processor gets from the worker that runs it. */
import type { ShardCache } from "../shards";

export interface JobContext {
  /** Real path of the data root (paths in jobs resolve inside it). */
  realRoot: string;
  /** Native threads per kernel call (undefined: every core; 0: TypeScript reference). */
  threads: number | undefined;
  cache: ShardCache;
  /** Aborted when the worker cancels the job (close, or `cancelJob`). */
  signal: AbortSignal | undefined;
  /** `job.updateProgress`. */
  progress(value: object): Promise<void>;
  /** Values returned by the job's children (a flow parent), keyed by child job key. */
  childrenValues(): Promise<Record<string, unknown>>;
}
