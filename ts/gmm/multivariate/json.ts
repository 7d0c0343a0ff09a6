/**
 * The JSON form of a multivariate model: `{ format: "fastkernels-gmm",
 * version: 1, dims, covariance, weights, means, covariances }` with plain
 * number arrays (JSON numbers round-trip float64 exactly). Loading checks
 * the format, the version, the shapes and the values (PD covariances).
 */
import { show } from "../../validate";
import { checkMvModel } from "./validate";
import { withScalarViews } from "./fit";
import type { GmmJSON, GmmMvModel } from "./types";

export const GMM_JSON_FORMAT = "fastkernels-gmm";
export const GMM_JSON_VERSION = 1;

/** The JSON form of a model (a `fitGmm` result on the multivariate path, or any `GmmMvModel`). */
export function gmmToJSON(model: GmmMvModel): GmmJSON {
  const m = checkMvModel("model", model);
  return {
    format: GMM_JSON_FORMAT,
    version: GMM_JSON_VERSION,
    dims: m.dims,
    covariance: m.covariance,
    weights: Array.from(m.weights),
    means: Array.from(m.means),
    covariances: Array.from(m.covariances),
  };
}

/** Gives a model a non-enumerable `toJSON()` (so `JSON.stringify(model)` writes the JSON form). */
export function withToJSON<T extends GmmMvModel>(model: T): T {
  Object.defineProperty(model, "toJSON", {
    value: function toJSON(this: GmmMvModel) {
      return gmmToJSON(this);
    },
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return model;
}

function numbers(name: string, value: unknown): Float64Array {
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array of numbers, got ${show(value)}`);
  const out = new Float64Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new RangeError(`${name}[${i}] must be a finite number, got ${show(v)}`);
    out[i] = v;
  }
  return out;
}

/** A model from its JSON form (an object or a JSON string), validated. */
export function gmmFromJSON(json: GmmJSON | string): GmmMvModel {
  let value: unknown = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new SyntaxError(`gmmFromJSON: json is not valid JSON (${(error as Error).message})`);
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`json must be a GMM JSON object or string, got ${show(value)}`);
  }
  const o = value as Record<string, unknown>;
  if (o.format !== GMM_JSON_FORMAT) throw new RangeError(`json.format must be ${JSON.stringify(GMM_JSON_FORMAT)}, got ${show(o.format)}`);
  if (o.version !== GMM_JSON_VERSION) {
    throw new RangeError(`json.version must be ${GMM_JSON_VERSION} (the versions this fastkernels reads), got ${show(o.version)}`);
  }
  const model = checkMvModel("json", {
    dims: o.dims,
    covariance: o.covariance,
    weights: numbers("json.weights", o.weights),
    means: numbers("json.means", o.means),
    covariances: numbers("json.covariances", o.covariances),
  });
  return withToJSON(withScalarViews(model));
}
