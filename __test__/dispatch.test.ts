/**
 * The kernel table's dispatcher, exercised through the GMM family: option
 * keys, limits before allocation, the inputs users hold (Float32Array,
 * Uint8ClampedArray), the model-object call form, async twins with
 * progress, abort and `borrow`, and the process-level switches
 * (`FASTKERNELS_BACKEND`, `threads` on the js backend) in child processes.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

import { sceneBytes, sceneValues } from "./helpers/gmm-scene";
import {
  backend,
  computeExpsumStable,
  computeExpsumStableAsync,
  fitGmm,
  fitGmmAsync,
  predictGmm,
  predictGmmAsync,
  predictProba,
  predictProbaAsync,
} from "../ts";
import type { GmmFit, ProgressEvent } from "../ts";

const root = path.join(__dirname, "..");

test("the native addon is loaded for this suite", () => {
  expect(backend).toBe("native");
});

function expectSameFit(a: GmmFit, b: GmmFit): void {
  expect(Array.from(a.means)).toEqual(Array.from(b.means));
  expect(Array.from(a.variances)).toEqual(Array.from(b.variances));
  expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
  expect(Array.from(a.logLikelihoods)).toEqual(Array.from(b.logLikelihoods));
  expect(a.iterations).toBe(b.iterations);
  expect(a.converged).toBe(b.converged);
}

const values = sceneValues(20_000, 7);
const bytes = sceneBytes(20_000, 7);
const model = fitGmm(values, { components: 3, iterations: 4, threads: 1 });

describe.each([0, 1, 2])("threads = %i", (threads) => {
  test("unknown option keys are a TypeError naming the key, the closest valid key and the valid keys", () => {
    const call = () => fitGmm(values, { components: 3, iteration: 20, threads } as never);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(
      'options has an unknown key "iteration" (did you mean "iterations"?); valid keys: columns, components, covariance, dims, init, iterations, nInit, regCovar, sampleWeight, seed, threads, tol, varianceFloor; async calls also take borrow, onIteration, onProgress, signal',
    );
    expect(() => predictGmm(values, model, { thread: 1 } as never)).toThrow('options has an unknown key "thread" (did you mean "threads"?)');
    expect(() => computeExpsumStable(values, model, { zzz: 1 } as never)).toThrow('options has an unknown key "zzz"; valid keys: threads; async calls also take borrow, onProgress, signal');
    expect(() => fitGmm(values, { components: 3, iterations: 2, signal: new AbortController().signal, threads } as never)).toThrow(
      'options has the key "signal", which only async calls take; valid keys: columns, components,',
    );
  });

  test("async calls accept the async keys and refuse unknown ones the same way", async () => {
    await expect(fitGmmAsync(values, { components: 3, iterations: 2, threads, borow: true } as never)).rejects.toThrow(
      'options has an unknown key "borow" (did you mean "borrow"?)',
    );
  });

  test("size parameters past their limits are RangeErrors before any allocation", () => {
    for (const [options, message] of [
      [{ components: 3, iterations: 1e12 }, "options.iterations must be at most 10000000 (GMM_MAX_ITERATIONS), got 1000000000000"],
      [{ components: 1e9, iterations: 1 }, "options.components must be at most 65536 (GMM_MAX_COMPONENTS), got 1000000000"],
      [{ components: 3, iterations: 2 ** 53 }, "options.iterations must be an integer >= 1, got 9007199254740992"],
    ] as const) {
      const started = performance.now();
      expect(() => fitGmm(values, { ...options, threads })).toThrow(RangeError);
      expect(() => fitGmm(values, { ...options, threads })).toThrow(message);
      expect(performance.now() - started).toBeLessThan(100);
    }
  });

  test("Float32Array data equals its float64 widening, bit for bit", () => {
    const f32 = Float32Array.from(values);
    const f64 = Float64Array.from(f32);
    expectSameFit(fitGmm(f32, { components: 3, iterations: 3, threads }), fitGmm(f64, { components: 3, iterations: 3, threads }));
    expect(predictGmm(f32, model, { threads })).toEqual(predictGmm(f64, model, { threads }));
    expect(computeExpsumStable(f32, model, { threads }).expsum).toEqual(computeExpsumStable(f64, model, { threads }).expsum);
  });

  test("Uint8ClampedArray pixels (canvas ImageData) are read like the same Uint8Array", () => {
    const clamped = new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, bytes.length);
    expectSameFit(fitGmm(clamped, { components: 3, iterations: 3, threads }), fitGmm(bytes, { components: 3, iterations: 3, threads }));
    expect(predictGmm(clamped, model, { threads })).toEqual(predictGmm(bytes, model, { threads }));
    expect(predictProba(clamped, model, { threads })).toEqual(predictProba(bytes, model, { threads }));
  });

  test("the model-object form is the positional form", () => {
    const positional = computeExpsumStable(values, model.weights, model.means, model.stdevs, { threads });
    const viaModel = computeExpsumStable(values, model, { threads });
    expect(viaModel.expsum).toEqual(positional.expsum);
    expect(viaModel.p).toEqual(positional.p);
    const viaVariances = computeExpsumStable(values, { weights: model.weights, means: model.means, variances: model.variances }, { threads });
    expect(viaVariances.pMax).toEqual(positional.pMax);
  });

  test("predictGmmAsync and predictProbaAsync equal their sync twins, with and without borrow", async () => {
    for (const data of [values, bytes]) {
      expect(await predictGmmAsync(data, model, { threads })).toEqual(predictGmm(data, model, { threads }));
      expect(await predictProbaAsync(data, model, { threads, borrow: true })).toEqual(predictProba(data, model, { threads }));
    }
    const lent = await computeExpsumStableAsync(values, model, { threads, borrow: true });
    expect(lent.expsum).toEqual(computeExpsumStable(values, model, { threads }).expsum);
  });

  test("fitGmmAsync reports { done, total, logLikelihood } after every iteration, onIteration as an alias", async () => {
    for (const key of ["onProgress", "onIteration"]) {
      const events: ProgressEvent[] = [];
      const fit = await fitGmmAsync(bytes, { components: 3, iterations: 5, threads, [key]: (e: ProgressEvent) => events.push({ ...e }) });
      expect(events.map((e) => e.done)).toEqual([1, 2, 3, 4, 5]);
      expect(events.every((e) => e.total === 5)).toBe(true);
      expect(events.map((e) => e.logLikelihood)).toEqual(Array.from(fit.logLikelihoods));
      expect(Object.keys(fit)).not.toContain("progressEvents");
    }
  });

  test("a throwing progress callback stops the fit and becomes the rejection", async () => {
    const boom = new Error("stop here");
    let calls = 0;
    const run = fitGmmAsync(values, {
      components: 3,
      iterations: 50,
      threads,
      onProgress: () => {
        calls++;
        throw boom;
      },
    });
    await expect(run).rejects.toBe(boom);
    expect(calls).toBe(1);
  });

  test("an abort stops the fit and rejects with an AbortError", async () => {
    const controller = new AbortController();
    const run = fitGmmAsync(values, {
      components: 3,
      iterations: 1000,
      threads,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.done === 2) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
  });
});

function runChild(code: string, env: Record<string, string>) {
  return spawnSync(process.execPath, ["-e", code], {
    cwd: root,
    env: { ...process.env, FASTKERNELS_SILENT: "", ...env },
    encoding: "utf8",
  });
}

describe("process-level switches", () => {
  test("a FASTKERNELS_BACKEND value that is not auto, native or js is an error at load", () => {
    const child = runChild('require("./dist/index.js")', { FASTKERNELS_BACKEND: "foo" });
    expect(child.status).not.toBe(0);
    expect(child.stderr).toContain('FASTKERNELS_BACKEND must be one of auto, native, js (or unset), got "foo"');
    for (const ok of ["js", "native", "auto", ""]) {
      const fine = runChild('console.log(require("./dist/index.js").backend)', { FASTKERNELS_BACKEND: ok });
      expect(fine.status).toBe(0);
      expect(fine.stdout.trim()).toBe(ok === "js" ? "js" : "native");
    }
  });

  test("threads > 0 on the js backend runs the reference and warns once", () => {
    const code = `
      const fk = require("./dist/index.js");
      const x = new Float64Array([0.1, 0.5, 0.9]);
      for (let i = 0; i < 3; i++) fk.fitGmm(x, { components: 2, iterations: 2, threads: 2 });
      console.log(fk.backend);
    `;
    const child = runChild(code, { FASTKERNELS_BACKEND: "js" });
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe("js");
    expect(child.stderr.match(/FASTKERNELS_THREADS_IGNORED/g)).toHaveLength(1);
  });
});
