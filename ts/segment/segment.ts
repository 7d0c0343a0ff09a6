/**
 * `segmentImage`: the original program's whole job on one image (or image
 * pair): decode, prepare the data, EM, labels, the original's morphology,
 * outputs. The `fastkernels segment` command and any worker call this one
 * function.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { performance } from "node:perf_hooks";

import { cie94DifferenceAsync, thresholdedSubtractionInit } from "../color";
import { normalizeReference } from "../color/reference";
import { fitGmmAsync, predictGmm } from "../gmm";
import type { CovarianceType, GmmFit, GmmInit, GmmMvFit } from "../gmm";
import { assertInteger, assertNumber, assertOptions } from "../validate";
import { IMAGE_CHANNELS, readImagePlane, readImageRgb } from "./image";
import { labToSrgb, srgbToLab } from "./lab";
import { postprocess as morphology } from "./postprocess";
import type { ReportSection, SegmentColorSpace, SegmentModel, SegmentOptions, SegmentSummary } from "./types";
import { encodeGrayPng, encodeRgbPng, toBytes } from "./write";

/** The original's message for K < 2. */
export const COMPONENTS_MESSAGE = "Number of components must be 2 or greater";

const OPTION_KEYS = new Set([
  "components", "iterations", "tol", "threads", "channel", "secondImage", "subtractionThreshold",
  "output", "labels", "json", "report", "figures", "postprocess", "onIteration", "signal", "onReportSection",
  "colorSpace", "covariance",
]);

export const COLOR_SPACES: readonly SegmentColorSpace[] = ["gray", "rgb", "lab"];
export const COVARIANCE_TYPES: readonly CovarianceType[] = ["full", "diag", "spherical", "tied"];

function checkOptions(path: unknown, options: SegmentOptions): void {
  if (typeof path !== "string" || path === "") throw new TypeError(`path must be a non-empty string, got ${JSON.stringify(path)}`);
  assertOptions("options", options);
  if (options === undefined) throw new TypeError("options must be an object with components and iterations");
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new TypeError(`options.${key} is not an option of segmentImage`);
  }
  if (typeof options.components === "number" && Number.isInteger(options.components) && options.components < 2) {
    throw new RangeError(COMPONENTS_MESSAGE);
  }
  assertInteger("options.components", options.components, 2, 255);
  assertInteger("options.iterations", options.iterations, 1);
  if (options.tol !== undefined) assertNumber("options.tol", options.tol, { min: 0 });
  if (options.channel !== undefined && !IMAGE_CHANNELS.includes(options.channel)) {
    throw new RangeError(`options.channel must be one of ${IMAGE_CHANNELS.join(", ")}, got ${JSON.stringify(options.channel)}`);
  }
  if (options.colorSpace !== undefined && !COLOR_SPACES.includes(options.colorSpace)) {
    throw new RangeError(`options.colorSpace must be one of ${COLOR_SPACES.join(", ")}, got ${JSON.stringify(options.colorSpace)}`);
  }
  if (options.covariance !== undefined && !COVARIANCE_TYPES.includes(options.covariance)) {
    throw new RangeError(`options.covariance must be one of ${COVARIANCE_TYPES.join(", ")}, got ${JSON.stringify(options.covariance)}`);
  }
  const colour = options.colorSpace !== undefined && options.colorSpace !== "gray";
  if (!colour && options.covariance !== undefined) {
    throw new RangeError(`options.covariance applies to colorSpace "rgb" or "lab", not "gray"`);
  }
  if (colour) {
    for (const key of ["secondImage", "channel"] as const) {
      if (options[key] !== undefined) {
        throw new RangeError(`options.${key} cannot be combined with colorSpace ${JSON.stringify(options.colorSpace)} (it works with "gray" only)`);
      }
    }
  }
  if (options.subtractionThreshold !== undefined) {
    assertNumber("options.subtractionThreshold", options.subtractionThreshold);
    if (options.secondImage === undefined || options.components !== 2) {
      throw new RangeError("options.subtractionThreshold needs a second image and components: 2 (the thresholded-subtraction start)");
    }
  }
  for (const key of ["secondImage", "output", "labels", "json", "report", "figures"] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== "string" || value === "")) {
      throw new TypeError(`options.${key} must be a non-empty string, got ${JSON.stringify(value)}`);
    }
  }
  if (options.onIteration !== undefined && typeof options.onIteration !== "function") {
    throw new TypeError("options.onIteration must be a function");
  }
}

/** Rewrites `image not found: p` into the original's "First image not found." wording. */
function which(role: "First" | "Second", error: unknown): Error {
  if (error instanceof Error && error.message.startsWith("image not found: ")) {
    return Object.assign(new Error(`${role} image not found: ${error.message.slice("image not found: ".length)}`), {
      code: (error as NodeJS.ErrnoException).code,
    });
  }
  return error as Error;
}

async function writeOutput(path: string, content: Buffer | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

/** Milliseconds since `start`, rounded to 0.001. */
function since(start: number): number {
  return Math.round((performance.now() - start) * 1000) / 1000;
}

/** Hands a section to `onReportSection` and writes the requested figures and report (loading the report module only then). */
async function writeSection(section: ReportSection, options: SegmentOptions, path: string): Promise<void> {
  const { summary } = section;
  options.onReportSection?.(section);
  const report = await import("./report.js");
  if (options.figures !== undefined) {
    await mkdir(options.figures, { recursive: true });
    await report.writeFigures(section, options.figures);
    summary.outputs.figures = options.figures;
  }
  if (options.report !== undefined) {
    summary.outputs.report = options.report;
    await writeOutput(options.report, await report.renderReportHtml([section], { title: `fastkernels segment: ${path}` }));
  }
}

/**
 * Segments one image (or, with `secondImage`, the CIE94 difference of two)
 * with a Gaussian mixture, like the original program:
 * 1. decode: one 8-bit plane (`channel`, default blue), or both images as RGB;
 * 2. prepare: the plane as is (fitted on its 256-bin histogram), or the CIE94
 *    difference normalised the original's way, with the thresholded-subtraction
 *    start when `subtractionThreshold` is given (K = 2);
 * 3. em: `fitGmmAsync` (all iterations unless `tol`), `onIteration` per iteration;
 * 4. labels: `predictGmm` with the final parameters (ties: lowest index);
 * 5. postprocess: every pixel gets its component's final mean, then opening and
 *    closing with a 5 × 5 square (skipped with `postprocess: false`);
 * 6. encode: the requested files (segmentation round(255 × value), labels,
 *    report, figures; the JSON last).
 *
 * @returns the `SegmentSummary` (also the content of `options.json`).
 * @throws TypeError/RangeError for bad options (K < 2: "Number of components
 *   must be 2 or greater"); Error "First image not found: <path>" (or
 *   Second), "cannot read image ..." or a size mismatch of the two images;
 *   RangeError when the image has fewer pixels than components.
 */
export async function segmentImage(path: string, options: SegmentOptions): Promise<SegmentSummary> {
  checkOptions(path, options);
  if (options.colorSpace === "rgb" || options.colorSpace === "lab") return segmentColour(path, options, options.colorSpace);
  const { components, iterations, tol, threads, secondImage, subtractionThreshold } = options;
  const channel = options.channel ?? "blue";
  const wantsPostprocess = options.postprocess ?? true;

  // decode
  let start = performance.now();
  let plane: Uint8Array | null = null;
  let rgb: [Uint8Array, Uint8Array] | null = null;
  let width: number;
  let height: number;
  if (secondImage === undefined) {
    const image = await readImagePlane(path, { channel }).catch((error: unknown) => Promise.reject(which("First", error)));
    ({ width, height } = image);
    plane = image.data;
  } else {
    const first = await readImageRgb(path).catch((error: unknown) => Promise.reject(which("First", error)));
    const second = await readImageRgb(secondImage).catch((error: unknown) => Promise.reject(which("Second", error)));
    if (first.width !== second.width || first.height !== second.height) {
      throw new RangeError(
        `the two images differ in size: ${path} is ${first.width} x ${first.height}, ${secondImage} is ${second.width} x ${second.height}`,
      );
    }
    ({ width, height } = first);
    rgb = [first.data, second.data];
  }
  const pixels = width * height;
  if (pixels < components) {
    throw new RangeError(`${path} has ${pixels} pixel(s) (${width} x ${height}); ${components} components need at least ${components}`);
  }
  const decode = since(start);

  // prepare
  start = performance.now();
  let data: Uint8Array | Float64Array;
  let init: GmmInit | undefined;
  if (plane) {
    data = plane;
  } else {
    const [a, b] = rgb!;
    const deltaE = await cie94DifferenceAsync(a, b, width, height, { threads, normalization: "none", borrow: true });
    // The original fits the rescaled difference but thresholds the raw one.
    const normalized = Float64Array.from(deltaE);
    normalizeReference(normalized, "original");
    data = normalized;
    if (subtractionThreshold !== undefined) {
      const { means, variances, weights } = thresholdedSubtractionInit(deltaE, { threshold: subtractionThreshold, data: normalized });
      init = { means, variances, weights };
    }
  }
  const prepare = since(start);

  // em
  start = performance.now();
  const fit: GmmFit = await fitGmmAsync(data, {
    components,
    iterations,
    ...(tol === undefined ? {} : { tol }),
    ...(threads === undefined ? {} : { threads }),
    ...(init === undefined ? {} : { init }),
    ...(options.onIteration ? { onProgress: options.onIteration } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    borrow: true,
  });
  const em = since(start);

  // labels
  start = performance.now();
  const labels = predictGmm(data, fit, threads === undefined ? undefined : { threads });
  const labelTime = since(start);

  // postprocess
  start = performance.now();
  let values: Float64Array = new Float64Array(pixels);
  for (let i = 0; i < pixels; i++) values[i] = fit.means[labels[i]];
  if (wantsPostprocess) values = morphology(values, width, height);
  const post = wantsPostprocess ? since(start) : 0;

  const summary: SegmentSummary = {
    input: path,
    ...(secondImage === undefined ? {} : { secondInput: secondImage }),
    width,
    height,
    channel: secondImage === undefined ? channel : "cie94",
    colorSpace: "gray",
    components,
    model: {
      weights: Array.from(fit.weights),
      means: Array.from(fit.means),
      variances: Array.from(fit.variances),
      stdevs: Array.from(fit.stdevs),
    },
    logLikelihoods: Array.from(fit.logLikelihoods),
    iterations: fit.iterations,
    converged: fit.converged,
    timings: { decode, prepare, em, labels: labelTime, postprocess: post, encode: 0 },
    outputs: {},
  };

  // encode
  start = performance.now();
  const needSection = options.report !== undefined || options.figures !== undefined || options.onReportSection !== undefined;
  let segmentationPng: Buffer | null = null;
  if (options.output !== undefined || needSection) segmentationPng = await encodeGrayPng(toBytes(values), width, height);
  if (options.output !== undefined) {
    await writeOutput(options.output, segmentationPng!);
    summary.outputs.output = options.output;
  }
  if (options.labels !== undefined) {
    await writeOutput(options.labels, await encodeGrayPng(labels, width, height));
    summary.outputs.labels = options.labels;
  }
  if (needSection) {
    const inputPng = await encodeGrayPng(plane ?? toBytes(data), width, height);
    const section: ReportSection = { summary, data, inputPng, segmentationPng: segmentationPng! };
    await writeSection(section, options, path);
  }
  if (options.json !== undefined) summary.outputs.json = options.json;
  summary.timings.encode = since(start);
  if (options.json !== undefined) await writeOutput(options.json, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/** Grey level of component k of K in the post-processed image of a 3-D fit: round(255 k / (K − 1)). */
export function componentLevel(k: number, components: number): number {
  return Math.round((255 * k) / (components - 1));
}

/** The diagonal of every component's covariance (K × d), whatever the covariance type. */
function channelVariances(fit: GmmMvFit): Float64Array {
  const { dims: d, covariance, covariances } = fit;
  const k = fit.weights.length;
  const out = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) {
      if (covariance === "full") out[c * d + j] = covariances[c * d * d + j * d + j];
      else if (covariance === "diag") out[c * d + j] = covariances[c * d + j];
      else if (covariance === "spherical") out[c * d + j] = covariances[c];
      else out[c * d + j] = covariances[j * d + j];
    }
  }
  return out;
}

/**
 * `segmentImage` for `colorSpace` "rgb" / "lab": a 3-D fit of the pixels
 * (rgb: the bytes as v / 255; lab: `srgbToLab`), labels from the final
 * model, the grey-level image round(255 k / (K − 1)) post-processed as in
 * the 1-D case, then each pixel written as its component's mean colour.
 */
async function segmentColour(path: string, options: SegmentOptions, colorSpace: "rgb" | "lab"): Promise<SegmentSummary> {
  const { components, iterations, tol, threads } = options;
  const covariance = options.covariance ?? "full";
  const wantsPostprocess = options.postprocess ?? true;

  // decode
  let start = performance.now();
  const image = await readImageRgb(path).catch((error: unknown) => Promise.reject(which("First", error)));
  const { width, height } = image;
  const pixels = width * height;
  if (pixels < components) {
    throw new RangeError(`${path} has ${pixels} pixel(s) (${width} x ${height}); ${components} components need at least ${components}`);
  }
  const decode = since(start);

  // prepare
  start = performance.now();
  const data: Uint8Array | Float64Array = colorSpace === "rgb" ? image.data : srgbToLab(image.data);
  const prepare = since(start);

  // em
  start = performance.now();
  const fit: GmmMvFit = await fitGmmAsync(data, {
    dims: 3,
    components,
    iterations,
    covariance,
    init: "kmeans++",
    seed: 0,
    ...(tol === undefined ? {} : { tol }),
    ...(threads === undefined ? {} : { threads }),
    ...(options.onIteration ? { onProgress: options.onIteration } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    borrow: true,
  });
  const em = since(start);

  // labels
  start = performance.now();
  const labels = predictGmm(data, fit, { dims: 3, ...(threads === undefined ? {} : { threads }) });
  const labelTime = since(start);

  // postprocess: the grey-level image of the components, opened and closed;
  // the filters only pick values present in their window, so every level
  // still names one component.
  start = performance.now();
  const levelOf = new Float64Array(components);
  const componentOf = new Int32Array(256).fill(-1);
  for (let k = 0; k < components; k++) {
    levelOf[k] = componentLevel(k, components);
    componentOf[levelOf[k]] = k;
  }
  let levels: Float64Array = new Float64Array(pixels);
  for (let i = 0; i < pixels; i++) levels[i] = levelOf[labels[i]];
  if (wantsPostprocess) levels = morphology(levels, width, height);
  const post = wantsPostprocess ? since(start) : 0;

  const colors = new Uint8Array(3 * components);
  for (let k = 0; k < components; k++) {
    const m = fit.means.subarray(3 * k, 3 * k + 3);
    if (colorSpace === "rgb") colors.set(toBytes(m), 3 * k);
    else colors.set(labToSrgb(m[0], m[1], m[2]), 3 * k);
  }
  const variances = channelVariances(fit);
  const model: SegmentModel = {
    weights: Array.from(fit.weights),
    means: Array.from(fit.means),
    variances: Array.from(variances),
    stdevs: Array.from(variances, Math.sqrt),
    dims: fit.dims,
    covariance: fit.covariance,
    covariances: Array.from(fit.covariances),
    colors: Array.from(colors),
  };
  const summary: SegmentSummary = {
    input: path,
    width,
    height,
    channel: colorSpace,
    colorSpace,
    components,
    model,
    logLikelihoods: Array.from(fit.logLikelihoods),
    iterations: fit.iterations,
    converged: fit.converged,
    timings: { decode, prepare, em, labels: labelTime, postprocess: post, encode: 0 },
    outputs: {},
  };

  // encode
  start = performance.now();
  const needSection = options.report !== undefined || options.figures !== undefined || options.onReportSection !== undefined;
  let segmentationPng: Buffer | null = null;
  if (options.output !== undefined || needSection) {
    const out = new Uint8Array(3 * pixels);
    for (let i = 0; i < pixels; i++) {
      const k = componentOf[levels[i]];
      out[3 * i] = colors[3 * k];
      out[3 * i + 1] = colors[3 * k + 1];
      out[3 * i + 2] = colors[3 * k + 2];
    }
    segmentationPng = await encodeRgbPng(out, width, height);
  }
  if (options.output !== undefined) {
    await writeOutput(options.output, segmentationPng!);
    summary.outputs.output = options.output;
  }
  if (options.labels !== undefined) {
    await writeOutput(options.labels, await encodeGrayPng(labels, width, height));
    summary.outputs.labels = options.labels;
  }
  if (needSection) {
    const section: ReportSection = { summary, data, inputPng: await encodeRgbPng(image.data, width, height), segmentationPng: segmentationPng! };
    await writeSection(section, options, path);
  }
  if (options.json !== undefined) summary.outputs.json = options.json;
  summary.timings.encode = since(start);
  if (options.json !== undefined) await writeOutput(options.json, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
