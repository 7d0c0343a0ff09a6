import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { maxRelativeDifference, rankAccuracy } from "../ts/demo/compare";
import { generateScene, SCENE_REGIONS } from "../ts/demo/scene";

const run = promisify(execFile);
const root = path.join(__dirname, "..");
const cli = path.join(root, "dist", "cli.js");
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function demo(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [cli, "demo", ...args], { cwd: root, env: { ...process.env, ...env }, encoding: "utf8" });
}

describe("demo scene", () => {
  test("is seeded, in [0, 1], and has the three regions", () => {
    const a = generateScene(64, 48, 3);
    expect(generateScene(64, 48, 3)).toEqual(a);
    expect(generateScene(64, 48, 4).intensities).not.toEqual(a.intensities);
    expect(a.intensities.every((v) => v >= 0 && v <= 1)).toBe(true);
    const counts = [0, 0, 0];
    a.truth.forEach((r) => counts[r]++);
    expect(counts.every((c) => c > 100)).toBe(true);
    // Region means are near their generated levels.
    SCENE_REGIONS.forEach((region, r) => {
      let sum = 0;
      a.truth.forEach((t, i) => (sum += t === r ? a.intensities[i] : 0));
      expect(Math.abs(sum / counts[r] - region.level)).toBeLessThan(0.02);
    });
  });

  test("rank accuracy and fit comparison", () => {
    expect(rankAccuracy(Uint8Array.of(1, 0, 1, 0), Float64Array.of(0.9, 0.1), Uint8Array.of(0, 1, 0, 0))).toBe(0.75);
    const fit = { means: Float64Array.of(1, 2), variances: Float64Array.of(1, 1), stdevs: Float64Array.of(1, 1), weights: Float64Array.of(0.5, 0.5), logLikelihoods: Float64Array.of(-10), iterations: 1, converged: false };
    expect(maxRelativeDifference(fit, fit)).toBe(0);
    expect(maxRelativeDifference(fit, { ...fit, means: Float64Array.of(1, 2.2) })).toBeCloseTo(0.2 / 2.2, 12);
  });
});

describe("fastkernels demo (built CLI, end to end)", () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(path.join(tmpdir(), "fastkernels-demo-"));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test("native vs reference: components, times, speed-up, agreement, images", async () => {
    const { stdout } = await demo(["--width", "64", "--height", "48", "--iterations", "5", "--threads", "2", "--out", out]);
    expect(stdout).toContain("64 x 48 synthetic scene");
    expect(stdout).toMatch(/^native: [\d.]+ ms, 5 iterations/m);
    expect(stdout).toMatch(/^TypeScript reference: [\d.]+ ms, 5 iterations/m);
    expect(stdout).toMatch(/speed-up: native is [\d.]+x the reference/);
    expect(stdout).toContain("the backends agree");
    expect(stdout).toMatch(/segmentation: (9\d|100)\.\d\d% of pixels/);
    for (const name of ["input.png", "segmentation.png"]) {
      expect(readFileSync(path.join(out, name)).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    }
    // Three component rows per backend.
    expect(stdout.match(/^\s+\d+\s+-?\d+\.\d{6}\s+\d+\.\d{6}\s+\d+\.\d{6}$/gm)).toHaveLength(6);
  });

  test("on the js backend it says so and runs only the reference", async () => {
    const { stdout } = await demo(["--width", "32", "--height", "24", "--iterations", "3", "--no-png"], { FASTKERNELS_BACKEND: "js" });
    expect(stdout).toContain("running the TypeScript reference only");
    expect(stdout).not.toMatch(/^native:/m);
    expect(stdout).not.toContain("images:");
  });

  test("bad options exit non-zero with a message", async () => {
    await expect(demo(["--width", "0"])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("option '--width <pixels>' argument '0' is invalid"),
    });
  });
});
