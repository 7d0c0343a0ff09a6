/**
 * `fastkernels demo`: segment a generated three-region scene with a
 * Gaussian mixture on the native backend and on the TypeScript reference,
 * and report both fits, both times, the speed-up and whether they agree.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";

import { fitGmm, predictGmm } from "../gmm";
import type { GmmFit } from "../gmm";
import { backend, nativeUnavailableReason } from "../native";
import { getDefaultThreads } from "../threads";
import { maxRelativeDifference, rankAccuracy } from "./compare";
import { toGray, writeGrayPng } from "./png";
import { generateScene, SCENE_REGIONS } from "./scene";

export interface DemoOptions {
  width: number;
  height: number;
  components: number;
  iterations: number;
  /** Native threads; default: the process default (every core). */
  threads?: number;
  seed: number;
  /** Folder for the PNG images, or null for none. */
  out: string | null;
}

/** Relative difference under which the two backends are said to agree. */
export const AGREEMENT_TOLERANCE = 1e-9;

export interface DemoSummary {
  backend: "native" | "js";
  referenceMs: number;
  nativeMs: number | null;
  speedUp: number | null;
  maxRelativeDifference: number | null;
  agree: boolean | null;
  accuracy: number | null;
  images: string[];
}

function timed<T>(run: () => T): [T, number] {
  const start = performance.now();
  const value = run();
  return [value, performance.now() - start];
}

function componentTable(title: string, fit: GmmFit, ms: number, log: (line: string) => void): void {
  log(`${title}: ${ms.toFixed(1)} ms, ${fit.iterations} iterations, final log-likelihood ${fit.logLikelihoods[fit.iterations - 1].toFixed(6)}`);
  log("    k        mean       stdev      weight");
  for (let k = 0; k < fit.means.length; k++) {
    const cells = [fit.means[k], fit.stdevs[k], fit.weights[k]].map((v) => v.toFixed(6).padStart(11));
    log(`  ${String(k).padStart(3)} ${cells.join(" ")}`);
  }
}

export async function runDemo(options: DemoOptions, log: (line: string) => void = console.log): Promise<DemoSummary> {
  const { width, height, components, iterations, seed } = options;
  const threads = options.threads ?? getDefaultThreads();
  const nativeRuns = backend === "native" && threads > 0;

  log(`fastkernels demo: ${width} x ${height} synthetic scene (seed ${seed}), K = ${components}, ${iterations} EM iterations`);
  log(`  regions: ${SCENE_REGIONS.map((r) => `${r.name} ${r.level} ± ${r.noise}`).join(", ")}`);
  if (backend === "js") {
    log(`  native backend unavailable (${nativeUnavailableReason}); running the TypeScript reference only`);
  } else if (!nativeRuns) {
    log("  threads = 0: running the TypeScript reference only");
  } else {
    log(`  native backend with ${threads} thread(s) vs the TypeScript reference`);
  }

  const scene = generateScene(width, height, seed);
  const fitOptions = { components, iterations };

  let nativeFit: GmmFit | null = null;
  let nativeMs: number | null = null;
  if (nativeRuns) {
    [nativeFit, nativeMs] = timed(() => fitGmm(scene.intensities, { ...fitOptions, threads }));
    componentTable("native", nativeFit, nativeMs, log);
  }
  const [referenceFit, referenceMs] = timed(() => fitGmm(scene.intensities, { ...fitOptions, threads: 0 }));
  componentTable("TypeScript reference", referenceFit, referenceMs, log);

  let difference: number | null = null;
  let agree: boolean | null = null;
  let speedUp: number | null = null;
  if (nativeFit && nativeMs !== null) {
    difference = maxRelativeDifference(nativeFit, referenceFit);
    agree = difference <= AGREEMENT_TOLERANCE;
    speedUp = referenceMs / nativeMs;
    log(`speed-up: native is ${speedUp.toFixed(1)}x the reference (${nativeMs.toFixed(1)} ms vs ${referenceMs.toFixed(1)} ms)`);
    log(
      `agreement: max relative difference ${difference.toExponential(2)} -> ` +
        (agree ? `the backends agree (<= ${AGREEMENT_TOLERANCE})` : `the backends DISAGREE (> ${AGREEMENT_TOLERANCE})`),
    );
  }

  const model = nativeFit ?? referenceFit;
  const labels = predictGmm(scene.intensities, model, { threads: nativeRuns ? threads : 0 });
  let accuracy: number | null = null;
  if (components === SCENE_REGIONS.length) {
    accuracy = rankAccuracy(labels, model.means, scene.truth);
    log(`segmentation: ${(100 * accuracy).toFixed(2)}% of pixels labelled with their generated region`);
  }

  const images: string[] = [];
  if (options.out !== null) {
    mkdirSync(options.out, { recursive: true });
    const segmented = new Float64Array(labels.length);
    for (let i = 0; i < labels.length; i++) segmented[i] = model.means[labels[i]];
    const files: [string, Uint8Array][] = [
      [path.join(options.out, "input.png"), toGray(scene.intensities)],
      [path.join(options.out, "segmentation.png"), toGray(segmented)],
    ];
    for (const [file, pixels] of files) {
      const problem = await writeGrayPng(file, pixels, width, height);
      if (problem) {
        log(`images: skipped, ${problem}`);
        break;
      }
      images.push(file);
    }
    if (images.length) log(`images: ${images.join(", ")}`);
  }

  return {
    backend,
    referenceMs,
    nativeMs,
    speedUp,
    maxRelativeDifference: difference,
    agree,
    accuracy,
    images,
  };
}
