/**
 * Real parts for the distributed tests: a `redis-server` on a free loopback
 * port (no persistence, in a temp folder) and fastkernels worker processes
 * (`node --import tsx ts/cli.ts worker ...`, so the sources under test run
 * without a build). Everything is stopped by PID in `stop()`.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.join(__dirname, "..", "..");

/** `node --import <tsx loader>`: runs the TypeScript sources from any working folder. */
export const TSX_IMPORT = ["--import", pathToFileURL(path.join(root, "node_modules", "tsx", "dist", "loader.mjs")).href];

export const REDIS_MISSING =
  "redis-server was not found on PATH: the distributed tests need a real Redis. " +
  "Install it (Debian/Ubuntu: `apt-get install -y redis-server`, as .ci/run does; macOS: `brew install redis`) " +
  "or put a redis-server binary on PATH.";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A child process with its output kept as lines, and a wait for a line. */
export class Proc {
  readonly lines: string[] = [];
  private waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess, readonly label: string) {
    let pending = "";
    const onData = (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      const parts = pending.split("\n");
      pending = parts.pop() ?? "";
      for (const line of parts) this.push(line);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  private push(line: string): void {
    this.lines.push(line);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pattern.test(line)) return true;
      w.resolve(line);
      return false;
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first line (already seen or coming) matching `pattern`; rejects after `ms` or when the process exits. */
  waitFor(pattern: RegExp, ms = 20000): Promise<string> {
    const seen = this.lines.find((l) => pattern.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label}: no line matching ${pattern} after ${ms} ms; output:\n${this.lines.join("\n")}`)), ms);
      this.waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${this.label} exited (${code}) before printing ${pattern}; output:\n${this.lines.join("\n")}`));
      });
    });
  }

  async kill(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (this.alive && this.child.pid !== undefined) process.kill(this.child.pid, signal);
    await this.exited;
  }
}

export interface WorkerArgs {
  queue: string;
  dataRoot: string;
  concurrency?: number;
  threads?: number;
  lockDuration?: number;
  stalledInterval?: number;
  /** A line per job start and end (the tests read them). Default true. */
  logJobs?: boolean;
}

export class RedisCluster {
  readonly workers: Proc[] = [];
  private constructor(readonly redis: Proc, readonly port: number, readonly dir: string) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server; fails with REDIS_MISSING when there is none. */
  static async start(): Promise<RedisCluster> {
    if (spawnSync("redis-server", ["--version"], { encoding: "utf8" }).error) throw new Error(REDIS_MISSING);
    const dir = mkdtempSync(path.join(tmpdir(), "fk-redis-"));
    const port = await freePort();
    const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const redis = new Proc(child, "redis-server");
    const cluster = new RedisCluster(redis, port, dir);
    try {
      await redis.waitFor(/Ready to accept connections/, 10000);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  async startWorker(args: WorkerArgs): Promise<Proc> {
    const argv = [
      ...TSX_IMPORT,
      path.join(root, "ts", "cli.ts"),
      "worker",
      "--redis",
      this.url,
      "--queue",
      args.queue,
      "--data-root",
      args.dataRoot,
      "--concurrency",
      String(args.concurrency ?? 1),
      "--threads",
      String(args.threads ?? 1),
    ];
    if (args.logJobs ?? true) argv.push("--log-jobs");
    if (args.lockDuration !== undefined) argv.push("--lock-duration", String(args.lockDuration));
    if (args.stalledInterval !== undefined) argv.push("--stalled-interval", String(args.stalledInterval));
    const child = spawn(process.execPath, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FASTKERNELS_SILENT: "1" } });
    const worker = new Proc(child, `worker ${this.workers.length + 1}`);
    this.workers.push(worker);
    await worker.waitFor(/serving queue/, 30000);
    return worker;
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.kill("SIGKILL")));
    this.workers.length = 0;
  }

  async stop(): Promise<void> {
    await this.stopWorkers();
    await this.redis.kill("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }
}
