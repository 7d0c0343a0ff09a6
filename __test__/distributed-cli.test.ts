/**
 * `fastkernels worker` on the command line: --redis is required (usage
 * error, exit 2), and a password in the Redis URL is never printed, even
 * when the connection fails and is retried.
 */
import { execFile, spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

import { redactRedisUrl } from "../ts/distributed";
import { Proc, TSX_IMPORT } from "./helpers/redis-cluster";

const cli = path.join(__dirname, "..", "ts", "cli.ts");

test("redactRedisUrl hides the password", () => {
  expect(redactRedisUrl("redis://alice:s3cret@db.example:6380/2")).toBe("redis://alice:***@db.example:6380/2");
  expect(redactRedisUrl("rediss://:s3cret@db.example")).toBe("rediss://:***@db.example");
  expect(redactRedisUrl("redis://db.example:6379")).toBe("redis://db.example:6379");
  expect(redactRedisUrl("not a url s3cret")).toBe("<redis url>");
});

test("without --redis the worker is a usage error", async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, FASTKERNELS_SILENT: "1" };
  delete env.FASTKERNELS_REDIS_URL;
  const result = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
    execFile(process.execPath, [...TSX_IMPORT, cli, "worker"], { env }, (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr })),
  );
  expect(result).toEqual({ code: 2, stderr: "fastkernels worker: --redis <url> (or the environment variable FASTKERNELS_REDIS_URL) is required\n" });
});

test("a worker whose Redis is unreachable logs the redacted URL and the error, never the password", async () => {
  // A port nobody listens on.
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port: p } = server.address() as { port: number };
      server.close(() => resolve(p));
    });
  });
  const child = spawn(process.execPath, [...TSX_IMPORT, cli, "worker", "--redis", `redis://fk:s3cret@127.0.0.1:${port}`], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FASTKERNELS_SILENT: "1" },
  });
  const worker = new Proc(child, "worker");
  try {
    await worker.waitFor(/connecting to redis:\/\/fk:\*\*\*@127\.0\.0\.1/);
    await worker.waitFor(/worker error: .*ECONNREFUSED/);
    expect(worker.lines.join("\n")).not.toContain("s3cret");
  } finally {
    await worker.kill("SIGKILL");
  }
});
