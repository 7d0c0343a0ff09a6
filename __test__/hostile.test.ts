/**
 * The hostile-input table: every argument of every public export, given
 * wrong types, wrong lengths, NaN / ±Infinity at the first, middle and last
 * element, negative weights, asymmetric dissimilarities, out-of-range
 * options, and sizes far past any limit. Every case runs with `threads: 0`
 * (TypeScript reference) and `threads: 1` (native), sync and, where an
 * `...Async` twin exists, async, and must throw (reject) on both backends
 * with the same error class and exactly the same message; the async twin
 * must reject with the sync call's error. Nothing may succeed.
 *
 * Adding a case is one line: a `mutate*` call on a signature (or a
 * `family`), or an entry of `__test__/fixtures/hostile-size-cases.cjs` for
 * sizes. The size group runs each case in its own child process (with a
 * 4 GiB address-space cap), because on builds without the limits some of
 * them abort the process or run for tens of seconds; there a case must
 * also fail within 100 ms and its message must name the argument.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import * as fk from "../ts";
import { Polygon, PolygonIndex } from "../ts";

const THREADS = [0, 1] as const;

// ---------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------

interface Outcome {
  kind: "threw" | "returned" | "rejected" | "resolved";
  errorClass?: string;
  message?: string;
}

function describeError(error: unknown): Pick<Outcome, "errorClass" | "message"> {
  const e = error as { constructor?: { name?: string }; message?: unknown } | null;
  return {
    errorClass: e?.constructor?.name ?? typeof error,
    message: typeof e?.message === "string" ? e.message : String(error),
  };
}

function runSync(call: () => unknown): Outcome {
  try {
    call();
    return { kind: "returned" };
  } catch (error) {
    return { kind: "threw", ...describeError(error) };
  }
}

async function runAsync(call: () => Promise<unknown>): Promise<Outcome> {
  let promise: Promise<unknown>;
  try {
    promise = call();
  } catch (error) {
    // An async API must report through its promise, never throw synchronously.
    return { kind: "threw", ...describeError(error) };
  }
  try {
    await promise;
    return { kind: "resolved" };
  } catch (error) {
    return { kind: "rejected", ...describeError(error) };
  }
}

const show = (o: Outcome) => (o.errorClass ? `${o.kind} ${o.errorClass}: ${o.message}` : o.kind);

// ---------------------------------------------------------------------------
// Signatures and mutations
// ---------------------------------------------------------------------------

type Args = unknown[];

/** One public call: its parameter names, fresh valid arguments, and how to call it. */
interface Signature {
  name: string;
  params: string[];
  /** Fresh valid arguments (the options argument, if any, without `threads`). */
  valid: () => Args;
  /** Index of the options argument that receives `threads`; undefined when the call takes no `threads`. */
  optionsAt?: number;
  sync?: (args: Args, threads: number) => unknown;
  async?: (args: Args, threads: number) => Promise<unknown>;
}

export interface HostileCase {
  name: string;
  call?: (threads: number) => unknown;
  callAsync?: (threads: number) => Promise<unknown>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && Object.getPrototypeOf(v) === Object.prototype;

/** The arguments with `threads` merged into the options (unless the case sets threads itself or options is not an object). */
function withThreads(sig: Signature, args: Args, threads: number): Args {
  if (sig.optionsAt === undefined) return args;
  const out = args.slice();
  const options = out[sig.optionsAt];
  if (options === undefined) out[sig.optionsAt] = { threads };
  else if (isPlainObject(options) && !("threads" in options)) out[sig.optionsAt] = { ...options, threads };
  return out;
}

const cases: HostileCase[] = [];
const signatures: Signature[] = [];

function caseOf(sig: Signature, label: string, mutate: (args: Args) => void, only?: "sync" | "async"): HostileCase {
  const build = () => {
    const args = sig.valid();
    mutate(args);
    return args;
  };
  const c: HostileCase = { name: `${sig.name}: ${label}` };
  if (sig.sync && only !== "async") c.call = (threads) => sig.sync!(withThreads(sig, build(), threads), threads);
  if (sig.async && only !== "sync") c.callAsync = (threads) => sig.async!(withThreads(sig, build(), threads), threads);
  cases.push(c);
  return c;
}

function paramIndex(sig: Signature, param: string): number {
  const i = sig.params.indexOf(param);
  if (i < 0) throw new Error(`${sig.name} has no parameter ${param}`);
  return i;
}

/** A case with parameter `param` (a name, or a dotted path into an object argument) replaced by `value(valid)`. */
function mutate(sig: Signature, param: string, label: string, value: (valid: unknown) => unknown, only?: "sync" | "async"): void {
  const [head, ...rest] = param.split(".");
  const i = paramIndex(sig, head);
  caseOf(sig, `${param} ${label}`, (args) => {
    if (rest.length === 0) {
      args[i] = value(args[i]);
      return;
    }
    // Copy the objects along the path so that shared fixtures are never modified.
    const root = { ...((args[i] as Record<string, unknown>) ?? {}) };
    args[i] = root;
    let node = root;
    for (const key of rest.slice(0, -1)) {
      node[key] = { ...(node[key] as Record<string, unknown>) };
      node = node[key] as Record<string, unknown>;
    }
    const last = rest[rest.length - 1];
    node[last] = value(node[last]);
  }, only);
}

/** `mutate` with a constant. */
function set(sig: Signature, param: string, label: string, value: unknown, only?: "sync" | "async"): void {
  mutate(sig, param, label, () => value, only);
}

const f64 = (...v: number[]) => Float64Array.from(v);

/** What float data arguments accept: float64, or float32 widened by the backend. */
const FLOAT_DATA = ["Float64Array", "Float32Array"];

/** What GMM data arguments accept: float values (float32 widened) and 8-bit pixels. */
const GMM_DATA = ["Float64Array", "Float32Array", "Uint8Array", "Uint8ClampedArray"];

/** A copy of a typed array (or number array) with `value` at the first, middle or last element. */
function at(position: "first" | "middle" | "last", value: number) {
  return (valid: unknown) => {
    const copy = ArrayBuffer.isView(valid) ? (valid as Float64Array).slice() : Array.from(valid as number[]);
    const n = copy.length;
    copy[position === "first" ? 0 : position === "middle" ? Math.floor(n / 2) : n - 1] = value;
    return copy;
  };
}

const POSITIONS = ["first", "middle", "last"] as const;

interface ArrayFamilyOptions {
  /** Which non-finite values are errors (default NaN, Infinity, -Infinity). */
  nonFinite?: number[];
  /** Typed-array kinds that are valid here (not used as wrong kinds). */
  accepts?: string[];
  /** An optional parameter: undefined is valid (null is not). */
  optional?: boolean;
}

/** Wrong types and non-finite elements for a Float64Array parameter. */
function float64Family(sig: Signature, param: string, options: ArrayFamilyOptions = {}): void {
  const accepts = options.accepts ?? ["Float64Array"];
  set(sig, param, "is a string", "0.5,0.5");
  set(sig, param, "is null", null);
  if (!options.optional) set(sig, param, "is undefined", undefined);
  set(sig, param, "is a number", 0.5);
  mutate(sig, param, "is a plain Array", (v) => Array.from(v as Float64Array));
  if (accepts.includes("Float32Array")) {
    // Accepted (widened to float64 by the backend): its bad values must be found alike.
    mutate(sig, param, "is a Float32Array with NaN in the middle", (v) => at("middle", NaN)(Float32Array.from(v as Float64Array)));
  } else {
    mutate(sig, param, "is a Float32Array", (v) => Float32Array.from(v as Float64Array));
  }
  mutate(sig, param, "is an Int16Array", (v) => new Int16Array((v as Float64Array).length));
  if (!accepts.includes("Uint8Array")) mutate(sig, param, "is a Uint8Array", (v) => new Uint8Array((v as Float64Array).length));
  if (!accepts.includes("Uint8ClampedArray")) mutate(sig, param, "is a Uint8ClampedArray", (v) => new Uint8ClampedArray((v as Float64Array).length));
  mutate(sig, param, "is a DataView", (v) => new DataView((v as Float64Array).slice().buffer));
  for (const value of options.nonFinite ?? [NaN, Infinity, -Infinity]) {
    for (const position of POSITIONS) mutate(sig, param, `has ${value} at the ${position} element`, at(position, value));
  }
}

/** Wrong types and bad values for an integer parameter. */
function integerFamily(sig: Signature, param: string, bad: number[]): void {
  set(sig, param, "is a numeric string", "2");
  set(sig, param, "is null", null);
  set(sig, param, "is a bigint", 2n);
  for (const v of [NaN, 1.5, ...bad]) set(sig, param, `= ${Object.is(v, -0) ? "-0" : v}`, v);
}

/** Bad options objects and bad `threads`. */
function optionsFamily(sig: Signature, param = "options"): void {
  for (const [label, value] of [["a string", "fast"], ["a number", 3], ["an array", []], ["null", null], ["a function", () => 1]] as const) {
    set(sig, param, `is ${label}`, value);
  }
  for (const threads of [-1, 1.5, 257, NaN, Infinity]) mutate(sig, `${param}.threads`, `= ${threads}`, () => threads);
  mutate(sig, `${param}.threads`, `is a string`, () => "1");
}

/** Async-only option checks. */
function signalFamily(sig: Signature, param = "options"): void {
  set(sig, `${param}.signal`, "is a plain object", {}, "async");
  set(sig, `${param}.signal`, "is a string", "abort", "async");
  set(sig, `${param}.signal`, "is null", null, "async");
}

function signature(sig: Signature): Signature {
  signatures.push(sig);
  return sig;
}

type AnyFn = (...args: unknown[]) => unknown;
const callFn = (fn: unknown) => (args: Args) => (fn as AnyFn)(...args);
const callAsyncFn = (fn: unknown) => (args: Args) => (fn as (...a: unknown[]) => Promise<unknown>)(...args);

// ---------------------------------------------------------------------------
// Fixtures (valid inputs; every case starts from these)
// ---------------------------------------------------------------------------

const intensities = f64(0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9);
const weights = f64(0.3, 0.4, 0.3);
const means = f64(0.2, 0.5, 0.85);
const stdevs = f64(0.1, 0.1, 0.1);
const bytes = Uint8Array.of(10, 40, 90, 128, 170, 200, 250);
const model = () => ({ weights, means, stdevs });

const rgbFloat = Float64Array.from({ length: 12 }, (_, i) => ((i * 37) % 11) / 10);
const rgbBytes = Uint8Array.from({ length: 12 }, (_, i) => (i * 53) % 256);
const deltaE = f64(0.5, 1.2, 3.4, 5.1, 0.2, 4.4, 0.9);

const square = new Polygon([0, 1, 1, 0], [0, 0, 1, 1]);
const triangle = new Polygon([5, 6, 5], [5, 5, 6]);
const big = new Polygon([0, 4, 4, 0], [0, 0, 4, 4]);
const polygons = [square, triangle, big];
const flat = () => ({ x: f64(0, 1, 1, 5, 6, 5, 0, 4, 4), y: f64(0, 0, 1, 5, 5, 6, 0, 0, 4), offsets: [0, 3, 6, 9] });
const queryPoints = f64(0.5, 0.5, 5.2, 5.2, 2, 2, 9, 9);

const mdsPoints = f64(0, 0, 1, 0, 0, 1, 2, 2); // 4 rows x 2 dims
function distances(points: Float64Array, dims: number): Float64Array {
  return fk.computeDistanceMatrix(points, dims, { threads: 0 });
}
const d4 = distances(mdsPoints, 2);

let sharedIndex: PolygonIndex | undefined;
const index = () => (sharedIndex ??= new PolygonIndex(flat(), { threads: 0 }));

// ---------------------------------------------------------------------------
// GMM family
// ---------------------------------------------------------------------------

const perSample = [
  ["computeExpsumStable", fk.computeExpsumStable, fk.computeExpsumStableAsync],
  ["computeLogLikelihoodStable", fk.computeLogLikelihoodStable, fk.computeLogLikelihoodStableAsync],
  ["computeExpectationResponsibilities", fk.computeExpectationResponsibilities, fk.computeExpectationResponsibilitiesAsync],
] as const;

for (const [name, sync, async] of perSample) {
  const sig = signature({
    name,
    params: ["intensities", "weights", "means", "stdevs", "options"],
    valid: () => [intensities, weights, means, stdevs, {}],
    optionsAt: 4,
    sync: callFn(sync),
    async: callAsyncFn(async),
  });
  float64Family(sig, "intensities", { accepts: ["Float64Array", "Float32Array"] });
  for (const p of ["weights", "means", "stdevs"]) float64Family(sig, p);
  set(sig, "intensities", "is empty", f64());
  set(sig, "weights", "is empty (K = 0)", f64());
  for (const position of POSITIONS) mutate(sig, "weights", `has -0.25 at the ${position} element`, at(position, -0.25));
  set(sig, "weights", "is all zeros", f64(0, 0, 0));
  set(sig, "weights", "has length 2 (K mismatch)", f64(0.5, 0.5));
  set(sig, "means", "has length 4 (K mismatch)", f64(0.1, 0.2, 0.3, 0.4));
  set(sig, "stdevs", "has length 2 (K mismatch)", f64(0.1, 0.1));
  for (const position of POSITIONS) mutate(sig, "stdevs", `has 0 at the ${position} element`, at(position, 0));
  mutate(sig, "stdevs", "has -0.1 at the middle element", at("middle", -0.1));
  optionsFamily(sig);
  signalFamily(sig);
}

const fitGmmSig = signature({
  name: "fitGmm",
  params: ["data", "options"],
  valid: () => [intensities, { components: 3, iterations: 2 }],
  optionsAt: 1,
  sync: callFn(fk.fitGmm),
  async: callAsyncFn(fk.fitGmmAsync),
});
float64Family(fitGmmSig, "data", { accepts: GMM_DATA });
set(fitGmmSig, "data", "is an empty Float64Array", f64());
set(fitGmmSig, "data", "is an empty Uint8Array", new Uint8Array(0));
set(fitGmmSig, "data", "is an Int8Array", new Int8Array(7));
set(fitGmmSig, "options", "is undefined", undefined);
optionsFamily(fitGmmSig);
signalFamily(fitGmmSig);
integerFamily(fitGmmSig, "options.components", [0, -1, -0, Infinity]);
set(fitGmmSig, "options.components", "is missing", undefined);
integerFamily(fitGmmSig, "options.iterations", [0, -3, Infinity]);
set(fitGmmSig, "options.iterations", "is missing", undefined);
for (const v of [-1, NaN, Infinity, -Infinity]) set(fitGmmSig, "options.tol", `= ${v}`, v);
set(fitGmmSig, "options.tol", "is a string", "1e-6");
for (const v of [0, -1e-12, NaN, Infinity]) set(fitGmmSig, "options.varianceFloor", `= ${v}`, v);
for (const v of [-1e-6, NaN, Infinity]) set(fitGmmSig, "options.regCovar", `= ${v}`, v);
// null is not "absent": like tol, the optional numbers must reject it rather than use their default.
for (const key of ["tol", "varianceFloor", "regCovar"]) set(fitGmmSig, `options.${key}`, "is null", null);
set(fitGmmSig, "options.init", "is null", null);
set(fitGmmSig, "options.init", "is a string", "kmeans");
const init = () => ({ means: f64(0.2, 0.5, 0.8), variances: f64(0.01, 0.01, 0.01), weights: f64(1, 1, 1) });
for (const key of ["means", "variances", "weights"]) {
  mutate(fitGmmSig, `options.init`, `.${key} is a plain Array`, () => ({ ...init(), [key]: [0.1, 0.2, 0.3] }));
  mutate(fitGmmSig, `options.init`, `.${key} is missing`, () => ({ ...init(), [key]: undefined }));
  mutate(fitGmmSig, `options.init`, `.${key} has length 2 (components = 3)`, () => ({ ...init(), [key]: f64(0.1, 0.2) }));
  for (const position of POSITIONS) {
    mutate(fitGmmSig, "options.init", `.${key} has NaN at the ${position} element`, () => ({ ...init(), [key]: at(position, NaN)(init()[key as "means"]) }));
  }
}
for (const position of POSITIONS) {
  mutate(fitGmmSig, "options.init", `.weights has -1 at the ${position} element`, () => ({ ...init(), weights: at(position, -1)(init().weights) }));
  mutate(fitGmmSig, "options.init", `.variances has 0 at the ${position} element`, () => ({ ...init(), variances: at(position, 0)(init().variances) }));
}
mutate(fitGmmSig, "options.init", ".weights is all zeros", () => ({ ...init(), weights: f64(0, 0, 0) }));

for (const [name, fn] of [["predictGmm", fk.predictGmm], ["predictProba", fk.predictProba]] as const) {
  const sig = signature({
    name,
    params: ["data", "model", "options"],
    valid: () => [intensities, model(), {}],
    optionsAt: 2,
    sync: callFn(fn),
  });
  float64Family(sig, "data", { accepts: GMM_DATA });
  set(sig, "data", "is empty", f64());
  for (const [label, value] of [["null", null], ["a string", "model"], ["an array", []], ["a number", 1]] as const) set(sig, "model", `is ${label}`, value);
  set(sig, "model", "has neither stdevs nor variances", { weights, means });
  for (const key of ["weights", "means", "stdevs"]) {
    float64Family(sig, `model.${key}`);
    set(sig, `model.${key}`, "has length 2 (K mismatch)", f64(0.5, 0.5));
  }
  for (const position of POSITIONS) mutate(sig, "model.weights", `has -1 at the ${position} element`, at(position, -1));
  set(sig, "model.weights", "is all zeros", f64(0, 0, 0));
  caseOf(sig, "Uint8Array data with a negative model weight", (args) => {
    args[0] = bytes;
    args[1] = { ...model(), weights: f64(1, -1, 1) };
  });
  set(sig, "model", "variances has a 0 (stdevs absent)", { weights, means, variances: f64(0.01, 0, 0.01) });
  set(sig, "model", "variances has NaN (stdevs absent)", { weights, means, variances: f64(0.01, 0.01, NaN) });
  set(sig, "model", "variances is a plain Array (stdevs absent)", { weights, means, variances: [0.01, 0.01, 0.01] });
  optionsFamily(sig);
}
{
  const sig = signatures.find((s) => s.name === "predictGmm") as Signature;
  const k = 257;
  set(sig, "model", "has 257 components (labels are bytes)", {
    weights: new Float64Array(k).fill(1),
    means: new Float64Array(k),
    stdevs: new Float64Array(k).fill(1),
  });
}

const cieSig = signature({
  name: "cie94Difference",
  params: ["rgbA", "rgbB", "width", "height", "options"],
  valid: () => [rgbFloat, rgbBytes, 2, 2, {}],
  optionsAt: 4,
  sync: callFn(fk.cie94Difference),
  async: callAsyncFn(fk.cie94DifferenceAsync),
});
float64Family(cieSig, "rgbA", { accepts: ["Float64Array", "Float32Array", "Uint8Array"] });
for (const position of POSITIONS) {
  mutate(cieSig, "rgbA", `has -0.1 at the ${position} element`, at(position, -0.1));
  mutate(cieSig, "rgbA", `has 1.5 at the ${position} element`, at(position, 1.5));
}
for (const [label, value] of [["a string", "rgb"], ["null", null], ["a plain Array", Array.from(rgbBytes)], ["a Uint8ClampedArray", Uint8ClampedArray.from(rgbBytes)], ["an Int32Array", Int32Array.from(rgbBytes)]] as const) {
  set(cieSig, "rgbB", `is ${label}`, value);
}
set(cieSig, "rgbA", "has length 11", rgbFloat.slice(0, 11));
set(cieSig, "rgbB", "has length 15", new Uint8Array(15));
set(cieSig, "rgbB", "is empty", new Uint8Array(0));
integerFamily(cieSig, "width", [0, -2, 3, Infinity]);
integerFamily(cieSig, "height", [0, -2, 4, Infinity]);
set(cieSig, "options.normalization", "is unknown", "l2");
set(cieSig, "options.normalization", "is a number", 1);
set(cieSig, "options.normalization", "is null", null);
optionsFamily(cieSig);
signalFamily(cieSig);

const tsiSig = signature({
  name: "thresholdedSubtractionInit",
  params: ["deltaE", "options"],
  valid: () => [deltaE, { threshold: 2.3 }],
  sync: callFn(fk.thresholdedSubtractionInit),
});
float64Family(tsiSig, "deltaE");
set(tsiSig, "deltaE", "is empty", f64());
for (const v of [NaN, 1e9, -1e9, Infinity]) set(tsiSig, "options.threshold", `= ${v}`, v);
set(tsiSig, "options.threshold", "is a string", "2.3");
float64Family(tsiSig, "options.data", { optional: true });
set(tsiSig, "options.threshold", "is null", null);
set(tsiSig, "options.data", "has the wrong length", f64(0.1, 0.2));
set(tsiSig, "options.data", "is constant within a class", f64(0.3, 0.3, 0.7, 0.8, 0.3, 0.9, 0.3));
for (const [label, value] of [["a string", "x"], ["null", null], ["an array", []]] as const) set(tsiSig, "options", `is ${label}`, value);

// GmmEstimator: construction, initialize, and the iteration API.
const grayscale = () => ({ image: intensities.slice(0, 6), width: 3, height: 2 });
const pair = () => ({ firstImage: rgbFloat, secondImage: rgbBytes, width: 2, height: 2 });
const estimatorSig = signature({
  name: "GmmEstimator#initialize",
  params: ["source", "options", "constructorOptions"],
  valid: () => [grayscale(), { components: 2, iterations: 2 }, {}],
  optionsAt: 2,
  sync: ([source, options, ctor]) => new fk.GmmEstimator(ctor as never).initialize(source as never, options as never),
});
for (const [label, value] of [["null", null], ["a string", "image.png"], ["an array", []], ["empty", {}]] as const) set(estimatorSig, "source", `is ${label}`, value);
float64Family(estimatorSig, "source.image", { accepts: ["Float64Array", "Uint8Array"] });
set(estimatorSig, "source.image", "has length 5 (width x height = 6)", intensities.slice(0, 5));
integerFamily(estimatorSig, "source.width", [0, -3, 4]);
integerFamily(estimatorSig, "source.height", [0, -2, 3]);
set(estimatorSig, "source", "is a pair with a short firstImage", { ...pair(), firstImage: rgbFloat.slice(0, 9) });
set(estimatorSig, "source", "is a pair with a string secondImage", { ...pair(), secondImage: "b.png" });
set(estimatorSig, "source", "is a pair with NaN in firstImage", { ...pair(), firstImage: at("middle", NaN)(rgbFloat) });
set(estimatorSig, "options", "is undefined", undefined);
set(estimatorSig, "options", "is a string", "k=2");
integerFamily(estimatorSig, "options.components", [0, 257]);
integerFamily(estimatorSig, "options.iterations", [0, -1]);
set(estimatorSig, "options.subtractionThreshold", "with a grayscale source", 2.3);
set(estimatorSig, "options.subtractionThreshold", "= NaN", NaN);
caseOf(estimatorSig, "pair source, subtractionThreshold 2.3 with components 3", (args) => {
  args[0] = pair();
  args[1] = { components: 3, iterations: 1, subtractionThreshold: 2.3 };
});
optionsFamily(estimatorSig, "constructorOptions");

const estimatorRunSig = signature({
  name: "GmmEstimator#executeExpectationMaximization",
  params: ["options", "constructorOptions", "initialized"],
  valid: () => [{}, {}, true],
  optionsAt: 1,
  sync: ([options, ctor, initialized]) => {
    const e = new fk.GmmEstimator(ctor as never);
    if (initialized) e.initialize(grayscale(), { components: 2, iterations: 2 });
    return e.executeExpectationMaximization(options as never);
  },
  async: async ([options, ctor, initialized]) => {
    const e = new fk.GmmEstimator(ctor as never);
    if (initialized) e.initialize(grayscale(), { components: 2, iterations: 2 });
    return e.executeExpectationMaximizationAsync(options as never);
  },
});
set(estimatorRunSig, "initialized", "is false (no initialize call)", false);
for (const [label, value] of [["a number", 5], ["a string", "log"], ["null", null], ["an object", {}]] as const) set(estimatorRunSig, "options.onIteration", `is ${label}`, value);
set(estimatorRunSig, "options", "is a string", "fast");
signalFamily(estimatorRunSig);

for (const method of ["computeExpsumStable", "computeLogLikelihoodStable", "computeExpectationResponsibilities", "segmentation"] as const) {
  const sig = signature({
    name: `GmmEstimator#${method}`,
    params: ["constructorOptions", "initialized"],
    valid: () => [{}, true],
    optionsAt: 0,
    sync: ([ctor, initialized]) => {
      const e = new fk.GmmEstimator(ctor as never);
      if (initialized) e.initialize(grayscale(), { components: 2, iterations: 2 });
      return e[method]();
    },
  });
  set(sig, "initialized", "is false (no initialize call)", false);
}

// ---------------------------------------------------------------------------
// Polygon family
// ---------------------------------------------------------------------------

const polygonSig = signature({
  name: "new Polygon",
  params: ["x", "y"],
  valid: () => [f64(0, 1, 1, 0), f64(0, 0, 1, 1)],
  sync: ([x, y]) => new Polygon(x as Float64Array, y as Float64Array),
});
for (const p of ["x", "y"]) {
  for (const [label, value] of [["a string", "0,1,1"], ["null", null], ["undefined", undefined], ["a Float32Array", new Float32Array(4)], ["an Int32Array", new Int32Array(4)]] as const) {
    set(polygonSig, p, `is ${label}`, value);
  }
  for (const value of [NaN, Infinity, -Infinity]) {
    for (const position of POSITIONS) mutate(polygonSig, p, `has ${value} at the ${position} element`, at(position, value));
  }
  mutate(polygonSig, p, "is a plain Array with NaN in the middle", (v) => at("middle", NaN)(Array.from(v as Float64Array)));
  mutate(polygonSig, p, "is a plain Array holding a string", () => [0, "1", 1, 0]);
}
set(polygonSig, "y", "has length 3 (x has 4)", f64(0, 0, 1));
set(polygonSig, "x", "is empty", f64());

const indexSig = signature({
  name: "new PolygonIndex",
  params: ["polygons", "options"],
  valid: () => [flat(), {}],
  optionsAt: 1,
  sync: ([p, options]) => new PolygonIndex(p as never, options as never),
});
for (const [label, value] of [["null", null], ["a string", "polygons"], ["a number", 3], ["undefined", undefined]] as const) set(indexSig, "polygons", `is ${label}`, value);
set(indexSig, "polygons", "is an array holding null", [square, null]);
set(indexSig, "polygons", "is an array holding { x: 1 }", [square, { x: 1 }]);
set(indexSig, "polygons", "is an array holding a polygon-like with NaN", [square, { x: f64(0, NaN), y: f64(0, 1) }]);
set(indexSig, "polygons", "is an array holding a polygon-like with x/y mismatch", [{ x: f64(0, 1), y: f64(0) }]);
float64Family(indexSig, "polygons.x");
float64Family(indexSig, "polygons.y");
set(indexSig, "polygons.y", "is shorter than x", f64(0, 0, 1));
for (const [label, value] of [
  ["is a Float64Array", f64(0, 3, 6, 9)],
  ["is a string", "0,3,6,9"],
  ["is empty", []],
  ["does not start at 0", [1, 3, 6, 9]],
  ["decreases", [0, 6, 3, 9]],
  ["repeats (an empty polygon)", [0, 3, 3, 9]],
  ["runs past the vertices", [0, 3, 6, 10]],
  ["holds -1", [0, -1, 6, 9]],
  ["holds 1.5", [0, 1.5, 6, 9]],
  ["holds NaN", [0, NaN, 6, 9]],
  ["holds a string", [0, "3", 6, 9]],
  ["holds 2^53", [0, 2 ** 53, 6, 9]],
] as const) {
  set(indexSig, "polygons.offsets", label, value);
}
for (const [label, value] of [
  ["is a string", "0,1,3"],
  ["is a Float64Array", f64(0, 1, 3)],
  ["is null", null],
  ["is empty", []],
  ["does not start at 0", [1, 3]],
  ["decreases", [0, 2, 1, 3]],
  ["repeats (a polygon without rings)", [0, 1, 1, 3]],
  ["runs past the rings", [0, 1, 4]],
  ["does not end at the ring count", [0, 1, 2]],
  ["holds -1", [0, -1, 3]],
  ["holds 0.5", [0, 0.5, 3]],
] as const) {
  set(indexSig, "polygons.rings", label, value);
}
optionsFamily(indexSig);

/** Point (closeTo, findClosePolygons) mutations. */
function pointFamily(sig: Signature, param: string): void {
  for (const [label, value] of [
    ["is a string", "1,2"],
    ["is null", null],
    ["is a number", 1],
    ["has length 1", [1]],
    ["has length 3", [1, 2, 3]],
    ["is a Float32Array", Float32Array.of(1, 2)],
    ["holds a string", ["1", 2]],
    ["holds NaN first", [NaN, 2]],
    ["holds Infinity last", [1, Infinity]],
    ["is a Float64Array with -Infinity", f64(-Infinity, 0)],
  ] as const) {
    set(sig, param, label, value);
  }
}

/** Points (bulk queries) mutations. */
function pointsFamily(sig: Signature, param: string): void {
  float64Family(sig, param, { accepts: FLOAT_DATA });
  set(sig, param, "has odd length", f64(1, 2, 3));
  set(sig, param, "is an array of numbers (not pairs)", [0, 0, 1, 1]);
  set(sig, param, "is an array of pairs with NaN in the middle pair", [[0, 0], [NaN, 1], [2, 2]]);
  set(sig, param, "is an array of pairs with a short pair", [[0, 0], [1], [2, 2]]);
  set(sig, param, "is an array of pairs holding null", [[0, 0], null]);
}

function maxDistFamily(sig: Signature, param: string): void {
  for (const v of [-1, NaN, -Infinity, -0.0001]) set(sig, param, `= ${v}`, v);
  set(sig, param, "is a string", "10");
  set(sig, param, "is null", null);
}

function inclusiveFamily(sig: Signature): void {
  set(sig, "options.inclusive", "is 1", 1);
  set(sig, "options.inclusive", "is a string", "yes");
  set(sig, "options.inclusive", "is null", null);
}

const closeToSig = signature({
  name: "PolygonIndex#closeTo",
  params: ["point", "maxDist", "options"],
  valid: () => [[0.5, 0.5], 3, {}],
  optionsAt: 2,
  sync: (args) => index().closeTo(...(args as Parameters<PolygonIndex["closeTo"]>)),
});
pointFamily(closeToSig, "point");
maxDistFamily(closeToSig, "maxDist");
inclusiveFamily(closeToSig);
optionsFamily(closeToSig);

const bestMatchSig = signature({
  name: "PolygonIndex#bestMatch",
  params: ["points", "maxDist", "options"],
  valid: () => [queryPoints, 3, {}],
  optionsAt: 2,
  sync: (args) => index().bestMatch(...(args as Parameters<PolygonIndex["bestMatch"]>)),
  async: (args) => index().bestMatchAsync(...(args as Parameters<PolygonIndex["bestMatchAsync"]>)),
});
pointsFamily(bestMatchSig, "points");
maxDistFamily(bestMatchSig, "maxDist");
inclusiveFamily(bestMatchSig);
set(bestMatchSig, "options.best", "is an unknown string", "perimeter");
set(bestMatchSig, "options.best", "is a plain Array", [1, 2, 3]);
set(bestMatchSig, "options.best", "is a number", 1);
set(bestMatchSig, "options.best", "is null", null);
set(bestMatchSig, "options.best", "has length 2 (3 polygons)", f64(1, 2));
set(bestMatchSig, "options.best", "is a Float32Array", Float32Array.of(1, 2, 3));
for (const position of POSITIONS) mutate(bestMatchSig, "options.best", `has NaN at the ${position} element`, () => at(position, NaN)(f64(1, 2, 3)));
optionsFamily(bestMatchSig);
signalFamily(bestMatchSig);

const withinSig = signature({
  name: "PolygonIndex#withinDistance",
  params: ["points", "maxDist", "options"],
  valid: () => [queryPoints, 3, {}],
  optionsAt: 2,
  sync: (args) => index().withinDistance(...(args as Parameters<PolygonIndex["withinDistance"]>)),
  async: (args) => index().withinDistanceAsync(...(args as Parameters<PolygonIndex["withinDistanceAsync"]>)),
});
pointsFamily(withinSig, "points");
maxDistFamily(withinSig, "maxDist");
inclusiveFamily(withinSig);
optionsFamily(withinSig);
signalFamily(withinSig);

const nearestSig = signature({
  name: "PolygonIndex#nearest",
  params: ["points", "k", "maxDist", "options"],
  valid: () => [queryPoints, 2, 10, {}],
  optionsAt: 3,
  sync: (args) => index().nearest(...(args as Parameters<PolygonIndex["nearest"]>)),
  async: (args) => index().nearestAsync(...(args as Parameters<PolygonIndex["nearestAsync"]>)),
});
pointsFamily(nearestSig, "points");
integerFamily(nearestSig, "k", [0, -1, Infinity]);
maxDistFamily(nearestSig, "maxDist");
inclusiveFamily(nearestSig);
caseOf(nearestSig, "k x points over 2^31 (4 points, k = 2^29)", (args) => {
  args[1] = 2 ** 29;
});
optionsFamily(nearestSig);
signalFamily(nearestSig);

/** Polygon-object list mutations (the original API takes Polygon objects only). */
function polygonListFamily(sig: Signature, param: string): void {
  for (const [label, value] of [
    ["is null", null],
    ["is a string", "polygons"],
    ["is flat buffers (not Polygon objects)", flat()],
    ["holds a polygon-like object", [square, { x: f64(0, 1), y: f64(0, 1) }]],
    ["holds null", [square, null]],
    ["holds a number", [square, 3]],
    ["holds a polygon-like with NaN", [{ x: f64(0, NaN), y: f64(0, 1) }]],
  ] as const) {
    set(sig, param, label, value);
  }
}

const findCloseSig = signature({
  name: "findClosePolygons",
  params: ["polygons", "point", "maxDist", "options"],
  valid: () => [polygons, [0.5, 0.5], 3, {}],
  optionsAt: 3,
  sync: callFn(fk.findClosePolygons),
});
polygonListFamily(findCloseSig, "polygons");
pointFamily(findCloseSig, "point");
maxDistFamily(findCloseSig, "maxDist");
optionsFamily(findCloseSig);

const selectSig = signature({
  name: "selectBestPolygon",
  params: ["sets", "options"],
  valid: () => [[[[0, 0], [square, big]], [[5, 5], [triangle]]], {}],
  optionsAt: 1,
  sync: callFn(fk.selectBestPolygon),
});
for (const [label, value] of [
  ["is null", null],
  ["is a string", "sets"],
  ["holds a non-pair", [[[0, 0]]]],
  ["holds a triple", [[[0, 0], [square], 1]]],
  ["holds an empty candidate list", [[[0, 0], []]]],
  ["holds candidates that are not Polygons", [[[0, 0], [{ x: f64(0), y: f64(0) }]]]],
  ["holds candidates that are not an array", [[[0, 0], square]]],
  ["holds null", [null]],
] as const) {
  set(selectSig, "sets", label, value);
}
optionsFamily(selectSig);

const matchSig = signature({
  name: "matchPointsToPolygons",
  params: ["polygons", "points", "maxDist", "options"],
  valid: () => [polygons, queryPoints, 3, {}],
  optionsAt: 3,
  sync: callFn(fk.matchPointsToPolygons),
});
polygonListFamily(matchSig, "polygons");
pointsFamily(matchSig, "points");
maxDistFamily(matchSig, "maxDist");
optionsFamily(matchSig);

const exampleSig = signature({
  name: "generateExample",
  params: ["options"],
  valid: () => [{ seed: 6 }],
  sync: callFn(fk.generateExample),
});
integerFamily(exampleSig, "options.seed", [-1, 2 ** 32, Infinity]);
for (const [label, value] of [["a string", "6"], ["a number", 6], ["null", null], ["an array", [6]]] as const) set(exampleSig, "options", `is ${label}`, value);

// ---------------------------------------------------------------------------
// MDS family
// ---------------------------------------------------------------------------

const dmSig = signature({
  name: "computeDistanceMatrix",
  params: ["points", "dims", "options"],
  valid: () => [mdsPoints, 2, {}],
  optionsAt: 2,
  sync: callFn(fk.computeDistanceMatrix),
});
float64Family(dmSig, "points", { accepts: FLOAT_DATA });
set(dmSig, "points", "is empty", f64());
set(dmSig, "points", "has length 7 (not a multiple of dims = 2)", mdsPoints.slice(0, 7));
integerFamily(dmSig, "dims", [0, -2, 3, Infinity]);
optionsFamily(dmSig);

const updSig = signature({
  name: "updateDistanceMatrix",
  params: ["points", "dims", "distances", "i", "options"],
  valid: () => [mdsPoints, 2, new Float64Array(16), 1, {}],
  optionsAt: 4,
  sync: callFn(fk.updateDistanceMatrix),
});
float64Family(updSig, "points", { accepts: FLOAT_DATA });
integerFamily(updSig, "dims", [0, 3]);
for (const [label, value] of [["a string", "d"], ["null", null], ["a plain Array", new Array(16).fill(0)], ["a Float32Array", new Float32Array(16)]] as const) {
  set(updSig, "distances", `is ${label}`, value);
}
set(updSig, "distances", "has length 15", new Float64Array(15));
set(updSig, "distances", "has length 25 (n = 5)", new Float64Array(25));
integerFamily(updSig, "i", [-1, 4, Infinity]);
optionsFamily(updSig);

const dfpSig = signature({
  name: "distFromPoint",
  params: ["points", "dims", "y", "options"],
  valid: () => [mdsPoints, 2, f64(0.5, 0.5), {}],
  optionsAt: 3,
  sync: callFn(fk.distFromPoint),
});
float64Family(dfpSig, "points", { accepts: FLOAT_DATA });
float64Family(dfpSig, "y");
set(dfpSig, "y", "has length 3 (dims = 2)", f64(0, 0, 0));
set(dfpSig, "y", "is empty", f64());
integerFamily(dfpSig, "dims", [0, 3]);
optionsFamily(dfpSig);

const errSig = signature({
  name: "computeMdsError",
  params: ["goal", "current", "n", "i", "options"],
  valid: () => [d4, d4.map((v) => v * 1.1), 4, undefined, {}],
  optionsAt: 4,
  sync: callFn(fk.computeMdsError),
});
float64Family(errSig, "goal");
float64Family(errSig, "current");
set(errSig, "current", "has length 9 (n = 4)", new Float64Array(9));
integerFamily(errSig, "n", [0, 3, 5, Infinity]);
integerFamily(errSig, "i", [-2, 4, Infinity]);
optionsFamily(errSig);

const mseSig = signature({
  name: "mse",
  params: ["a", "b", "options"],
  valid: () => [f64(1, 2, 3, 4, 5), f64(1, 2, 3, 4, 6), {}],
  optionsAt: 2,
  sync: callFn(fk.mse),
});
float64Family(mseSig, "a");
float64Family(mseSig, "b");
set(mseSig, "b", "is shorter than a", f64(1, 2, 3, 4));
optionsFamily(mseSig);

/** Dissimilarity-matrix mutations (n = 4). */
function dissimilarityFamily(sig: Signature, param: string): void {
  float64Family(sig, param, { accepts: FLOAT_DATA });
  const entry = (i: number, j: number, v: number) => (d: unknown) => {
    const c = (d as Float64Array).slice();
    c[i * 4 + j] = v;
    return c;
  };
  mutate(sig, param, "is asymmetric ([0][1] = 5, [1][0] = 1)", entry(0, 1, 5));
  mutate(sig, param, "is asymmetric just past the tolerance ([2][3] + 2e-9 relative)", (d) => entry(2, 3, (d as Float64Array)[2 * 4 + 3] * (1 + 2e-9))(d));
  mutate(sig, param, "is asymmetric in the last pair ([3][2] = 0)", entry(3, 2, 0));
  mutate(sig, param, "has a negative entry in both triangles", (d) => entry(1, 2, -1)(entry(2, 1, -1)(d)));
  mutate(sig, param, "has a non-zero diagonal (middle)", entry(2, 2, 0.5));
  mutate(sig, param, "has a non-zero diagonal (last)", entry(3, 3, 1e-300));
  set(sig, param, "has length 15", d4.slice(0, 15));
  set(sig, param, "has length 9 (n = 4)", distances(mdsPoints.slice(0, 6), 2));
}

const cmdsSig = signature({
  name: "classicalMds",
  params: ["dissimilarities", "n", "outputDims", "options"],
  valid: () => [d4, 4, 2, {}],
  optionsAt: 3,
  sync: callFn(fk.classicalMds),
  async: callAsyncFn(fk.classicalMdsAsync),
});
dissimilarityFamily(cmdsSig, "dissimilarities");
integerFamily(cmdsSig, "n", [1, 0, 3, 5, Infinity]);
integerFamily(cmdsSig, "outputDims", [0, 5, Infinity]);
optionsFamily(cmdsSig);

function smacofOptionsFamily(sig: Signature): void {
  integerFamily(sig, "options.outputDims", [0, 5, Infinity]);
  set(sig, "options.dims", "is given (renamed to outputDims in 0.2)", 2);
  integerFamily(sig, "options.maxIter", [0, -1, 2 ** 32, Infinity]);
  for (const v of [-1, NaN, Infinity]) set(sig, "options.eps", `= ${v}`, v);
  set(sig, "options.eps", "is a string", "1e-6");
  set(sig, "options.init", "is an unknown string", "pca");
  set(sig, "options.init", "is a number", 1);
  set(sig, "options.init", "is null", null);
  set(sig, "options.init", "is a plain Array", new Array(8).fill(0));
  set(sig, "options.init", "has length 6 (n x outputDims = 8)", new Float64Array(6));
  for (const position of POSITIONS) mutate(sig, "options.init", `has NaN at the ${position} element`, () => at(position, NaN)(f64(0, 0, 1, 0, 0, 1, 1, 1)));
  integerFamily(sig, "options.nInit", [0, 1001]);
  set(sig, "options.nInit", "= 2 with the classical init", 2);
  integerFamily(sig, "options.seed", [-1, 2 ** 32]);
  optionsFamily(sig);
  signalFamily(sig);
  set(sig, "options.onIteration", "is a number", 5, "async");
  set(sig, "options.onIteration", "is a string", "log", "async");
}

const smacofSig = signature({
  name: "smacof",
  params: ["dissimilarities", "n", "options"],
  valid: () => [d4, 4, { maxIter: 5 }],
  optionsAt: 2,
  sync: callFn(fk.smacof),
  async: callAsyncFn(fk.smacofAsync),
});
dissimilarityFamily(smacofSig, "dissimilarities");
integerFamily(smacofSig, "n", [1, 3, 5, Infinity]);
smacofOptionsFamily(smacofSig);

const mdsSig = signature({
  name: "mds",
  params: ["points", "dims", "options"],
  valid: () => [mdsPoints, 2, { maxIter: 5 }],
  optionsAt: 2,
  sync: callFn(fk.mds),
  async: callAsyncFn(fk.mdsAsync),
});
float64Family(mdsSig, "points", { accepts: FLOAT_DATA });
set(mdsSig, "points", "is one point (n = 1)", f64(1, 1));
set(mdsSig, "points", "is empty", f64());
set(mdsSig, "points", "has length 7", mdsPoints.slice(0, 7));
integerFamily(mdsSig, "dims", [0, 3]);
smacofOptionsFamily(mdsSig);

// ---------------------------------------------------------------------------
// Runtime
// ---------------------------------------------------------------------------

const defaultThreadsSig = signature({
  name: "setDefaultThreads",
  params: ["threads"],
  valid: () => [fk.getDefaultThreads()],
  sync: callFn(fk.setDefaultThreads),
});
integerFamily(defaultThreadsSig, "threads", [-1, 257, Infinity]);

// ---------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------

test("the native backend is loaded (threads: 1 must really run native)", () => {
  expect(fk.backend).toBe("native");
});

test("the table covers at least 80 cases and every signature", () => {
  expect(cases.length).toBeGreaterThanOrEqual(80);
  for (const sig of signatures) expect(cases.some((c) => c.name.startsWith(`${sig.name}: `))).toBe(true);
  const names = new Set(cases.map((c) => c.name));
  expect(names.size).toBe(cases.length);
});

describe("every signature's valid call succeeds on both backends (so each case fails because of its mutation)", () => {
  test.each(signatures.map((s) => [s.name, s] as const))("%s", async (_name, sig) => {
    for (const threads of THREADS) {
      if (sig.sync) expect(show(runSync(() => sig.sync!(withThreads(sig, sig.valid(), threads), threads)))).toBe("returned");
      if (sig.async) expect(show(await runAsync(() => sig.async!(withThreads(sig, sig.valid(), threads), threads)))).toBe("resolved");
    }
  });
});

/** Both backends fail, with the same class and message; the async twin rejects with the sync error. */
async function expectSameFailure(c: HostileCase): Promise<void> {
  const outcomes: Record<string, Outcome> = {};
  for (const threads of THREADS) {
    if (c.call) outcomes[`sync, threads ${threads}`] = runSync(() => c.call!(threads));
    if (c.callAsync) outcomes[`async, threads ${threads}`] = await runAsync(() => c.callAsync!(threads));
  }
  const summary = Object.entries(outcomes).map(([k, o]) => `${k}: ${show(o)}`).join("\n");
  const failedProperly = Object.entries(outcomes).every(([k, o]) => (k.startsWith("sync") ? o.kind === "threw" : o.kind === "rejected"));
  const distinct = new Set(Object.values(outcomes).map((o) => `${o.errorClass}: ${o.message}`));
  // One string holds every variant's outcome, so a failure shows all of them.
  expect({ failedProperly, sameError: distinct.size === 1, summary }).toEqual({ failedProperly: true, sameError: true, summary });
}

describe("hostile inputs: same error from both backends, sync and async", () => {
  test.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    await expectSameFailure(c);
  });
});

// ---------------------------------------------------------------------------
// Size limits, one child process per case and variant
// ---------------------------------------------------------------------------

interface SizeCase {
  name: string;
  arg: string;
  callAsync?: unknown;
}

const root = path.join(__dirname, "..");
const entry = path.join(root, "dist", "index.js");
const sizeFixture = path.join(__dirname, "fixtures", "hostile-size-cases.cjs");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sizeCases = (require(sizeFixture) as { cases: SizeCase[] }).cases;

/** Kill a child that is still running after this long (the bound the case must meet is 100 ms). */
const CHILD_TIMEOUT_MS = 3000;
/** Address-space cap of each child, so that a case that tries to allocate terabytes cannot take the machine down. */
const CHILD_ADDRESS_SPACE_KIB = 4 * 1024 * 1024;
const SIZE_BOUND_MS = 100;

interface ChildResult extends Partial<Outcome> {
  ms?: number;
  crashed?: string;
}

function runChild(name: string, threads: number, mode: "sync" | "async"): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(
      "/bin/sh",
      ["-c", `ulimit -v ${CHILD_ADDRESS_SPACE_KIB}; exec "$0" "$@"`, process.execPath, sizeFixture, entry, name, String(threads), mode],
      { cwd: root, env: { ...process.env, FASTKERNELS_BACKEND: "", RUST_BACKTRACE: "0" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, CHILD_TIMEOUT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").pop();
      if (code === 0 && line) {
        resolve(JSON.parse(line) as ChildResult);
        return;
      }
      const tail = stderr.trim().split("\n").filter((l) => !/^\s+\d+:|^\s+at |RUST_BACKTRACE/.test(l)).slice(-3).join(" | ");
      resolve({
        crashed: timedOut
          ? `did not finish within ${CHILD_TIMEOUT_MS} ms (killed)`
          : `process died (exit code ${code}, signal ${signal})${tail ? `: ${tail}` : ""}`,
      });
    });
  });
}

const sizeResults = new Map<string, Record<string, ChildResult>>();

describe("size limits (each case in its own process)", () => {
  beforeAll(async () => {
    if (!fs.existsSync(entry)) throw new Error("dist/index.js is missing: run npm run build:ts first");
    const jobs: Array<() => Promise<void>> = [];
    for (const c of sizeCases) {
      const results: Record<string, ChildResult> = {};
      sizeResults.set(c.name, results);
      for (const threads of THREADS) {
        for (const mode of c.callAsync ? (["sync", "async"] as const) : (["sync"] as const)) {
          jobs.push(async () => {
            results[`${mode}, threads ${threads}`] = await runChild(c.name, threads, mode);
          });
        }
      }
    }
    // Two at a time: this machine has two cores, and each child may take up to its timeout.
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) await jobs[next++]();
    };
    await Promise.all([worker(), worker()]);
  }, 600_000);

  test.each(sizeCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const results = sizeResults.get(c.name) as Record<string, ChildResult>;
    const summary = Object.entries(results)
      .map(([k, r]) => `${k}: ${r.crashed ?? `${show(r as Outcome)} (${(r.ms ?? NaN).toFixed(1)} ms)`}`)
      .join("\n");
    const failedProperly = Object.entries(results).every(([k, r]) => !r.crashed && r.kind === (k.startsWith("sync") ? "threw" : "rejected"));
    const distinct = new Set(Object.values(results).map((r) => `${r.errorClass}: ${r.message}`));
    const fast = Object.values(results).every((r) => (r.ms ?? Infinity) <= SIZE_BOUND_MS);
    const namesArgument = Object.values(results).every((r) => typeof r.message === "string" && r.message.includes(c.arg));
    expect({ failedProperly, sameError: distinct.size === 1, fast, namesArgument, summary }).toEqual({
      failedProperly: true,
      sameError: true,
      fast: true,
      namesArgument: true,
      summary,
    });
  });
});
