import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";

import { backend, getDefaultThreads, MAX_THREADS, setDefaultThreads } from "../ts";
import { debugPanicAsync, debugPanicSync } from "../ts/internal";
import { native } from "../ts/native";
import { resolveThreads } from "../ts/threads";

const root = path.join(__dirname, "..");

describe("backend selection", () => {
  test("the native addon is built and loaded in this repository", () => {
    // npm test builds the addon first; a missing addon here is a broken build, not a fallback.
    expect(backend).toBe("native");
  });

  test("FASTKERNELS_BACKEND=js forces the reference without a warning", () => {
    const out = execFileSync(
      process.execPath,
      ["-e", "const fk = require('./dist/index.js'); process.stdout.write(fk.backend)"],
      { cwd: root, env: { ...process.env, FASTKERNELS_BACKEND: "js" }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    expect(out).toBe("js");
  });
});

describe("threads", () => {
  afterEach(() => setDefaultThreads(undefined));

  test("defaults to every core and can be set once for the process", () => {
    expect(getDefaultThreads()).toBe(Math.min(MAX_THREADS, availableParallelism()));
    setDefaultThreads(1);
    expect(getDefaultThreads()).toBe(1);
    expect(resolveThreads(undefined)).toBe(1);
    expect(resolveThreads({ threads: 0 })).toBe(0);
    expect(resolveThreads({ threads: 2 })).toBe(2);
  });

  test.each([
    [-1, RangeError, "threads must be an integer from 0 to 256, got -1"],
    [1.5, RangeError, "threads must be an integer from 0 to 256, got 1.5"],
    [257, RangeError, "threads must be an integer from 0 to 256, got 257"],
    [Number.NaN, RangeError, "threads must be an integer from 0 to 256, got NaN"],
    ["2", TypeError, 'threads must be an integer, got "2"'],
  ])("setDefaultThreads(%p) is rejected", (value, kind, message) => {
    expect(() => setDefaultThreads(value as number)).toThrow(kind);
    expect(() => setDefaultThreads(value as number)).toThrow(message);
  });

  test("a bad per-call value names the option", () => {
    expect(() => resolveThreads({ threads: -2 })).toThrow("options.threads must be an integer from 0 to 256, got -2");
    expect(() => resolveThreads(5 as never)).toThrow(TypeError);
  });
});

// The panicking kernels come from the debug-feature addon (ts/internal.ts,
// npm run build:native:debug-addon); a missing one fails these tests.
describe("panics never cross the boundary", () => {
  test("a panic in a sync kernel throws an Error naming the kernel", () => {
    expect(() => debugPanicSync("boom-sync")).toThrow(/internal error in native debugPanic.*boom-sync/);
  });

  test.each([1, 2])("a panic in an async kernel rejects (threads = %i)", async (threads) => {
    await expect(debugPanicAsync("boom-async", threads)).rejects.toThrow(/boom-async/);
    // The process and the pool survive: the pool still runs work afterwards.
    await expect(debugPanicAsync("again", threads)).rejects.toThrow(/again/);
  });

  test("the release addon and the committed index.d.ts have no __debug* entry points (they are behind a cargo feature)", () => {
    expect(Object.keys(native ?? {}).filter((name) => name.startsWith("__debug"))).toEqual([]);
    expect(fs.readFileSync(path.join(root, "index.d.ts"), "utf8")).not.toMatch(/__debug/);
    expect(fs.readFileSync(path.join(root, "index.js"), "utf8")).not.toMatch(/__debug/);
  });

  test("a native thread count out of range is a RangeError from Rust too", () => {
    expect(() => debugPanicSync("x", 0)).toThrow(RangeError);
    expect(() => debugPanicSync("x", 100000)).toThrow(/threads must be an integer from 1 to 256/);
  });
});

describe("package entry points (built dist/)", () => {
  test("CommonJS require and ESM import expose the same API", () => {
    const script = [
      "const cjs = require('./dist/index.js');",
      "import('fastkernels').then((esm) => {",
      "  const c = Object.keys(cjs).filter((k) => k !== '__esModule').sort();",
      "  const e = Object.keys(esm).filter((k) => k !== 'default').sort();",
      "  process.stdout.write(JSON.stringify({ same: JSON.stringify(c) === JSON.stringify(e), backend: esm.backend, n: e.length }));",
      "});",
    ].join("\n");
    const out = JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" }));
    expect(out.same).toBe(true);
    expect(out.backend).toBe("native");
    expect(out.n).toBeGreaterThan(3);
  });
});
