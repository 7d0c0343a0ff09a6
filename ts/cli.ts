#!/usr/bin/env node
/**
 * The `fastkernels` command line: `segment` (the original program's job),
 * `demo` (what `npm run demo` runs), `info` (which backend is active and why)
 * and `worker` (a BullMQ worker, see ts/distributed).
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { Command, CommanderError, InvalidArgumentError } from "commander";

import { backend, nativeUnavailableReason } from "./native";
import { getDefaultThreads, MAX_THREADS } from "./threads";
import { runDemo } from "./demo/run";
import { addSegmentCommand, reportError, UsageError } from "./segment/command";
import { addWorkerCommand } from "./distributed/command";

const { version } = JSON.parse(readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { version: string };

function integer(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
}

const program = new Command()
  .name("fastkernels")
  .description("Fast numeric kernels for TypeScript: parallel Rust with a TypeScript reference.")
  .version(version, "-V, --version", "print the fastkernels version")
  .showHelpAfterError();

addSegmentCommand(program);
addWorkerCommand(program);

program
  .command("demo")
  .description(
    "Segment a generated three-region grayscale scene with a Gaussian mixture (EM) on the native backend " +
      "and on the TypeScript reference; print both fits, both times, the speed-up and whether they agree.",
  )
  .option("--width <pixels>", "scene width", integer(1, 20000), 1280)
  .option("--height <pixels>", "scene height", integer(1, 20000), 800)
  .option("--components <k>", "mixture components", integer(1, 255), 3)
  .option("--iterations <n>", "EM iterations", integer(1, 10000), 8)
  .option("--threads <n>", "native threads (0 = reference only; default every core)", integer(0, MAX_THREADS))
  .option("--seed <n>", "scene seed", integer(0, 0xffffffff), 1)
  .option("--out <dir>", "folder for input.png and segmentation.png", "demo-output")
  .option("--no-png", "do not write images")
  .action(async (opts: { width: number; height: number; components: number; iterations: number; threads?: number; seed: number; out: string; png: boolean }) => {
    await runDemo({ ...opts, out: opts.png ? opts.out : null });
  });

program
  .command("info")
  .description("Print which backend is active, why, and the default thread count.")
  .action(() => {
    console.log(`backend: ${backend}`);
    if (nativeUnavailableReason) console.log(`reason: ${nativeUnavailableReason}`);
    console.log(`default threads: ${getDefaultThreads()}`);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Thrown by `segment` (exitOverride) after commander printed its message:
    // help and version exit 0, every command-line problem 2.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof UsageError) {
    reportError(error);
    process.exitCode = 2;
  } else if (process.argv[2] === "segment") {
    reportError(error);
    process.exitCode = 1;
  } else {
    console.error(`fastkernels: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
});
