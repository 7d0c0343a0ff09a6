/** Checks of `GmmEstimator`'s arguments, before any kernel runs. */
import type { RgbImage } from "../color";
import { GMM_MAX_ITERATIONS } from "../limits.generated";
import { assertRgbImage, checkedPixels } from "../color/validate";
import type { GmmData } from "../gmm";
import { assertAllFinite, assertAtMost, assertInteger, assertLength, assertNumber, assertOptions, isTypedArrayOf, show } from "../validate";
import type { EstimatorSource, InitializeOptions } from "./types";

export type CheckedSource =
  | { kind: "grayscale"; image: GmmData; width: number; height: number }
  | { kind: "pair"; firstImage: RgbImage; secondImage: RgbImage; width: number; height: number };

export function assertFunction(name: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== "function") throw new TypeError(`${name} must be a function, got ${show(value)}`);
}

export function checkSource(source: EstimatorSource): CheckedSource {
  if (source === null || typeof source !== "object" || Array.isArray(source)) {
    throw new TypeError(`source must be { image, width, height } or { firstImage, secondImage, width, height }, got ${show(source)}`);
  }
  const pixels = checkedPixels((source as { width?: unknown }).width, (source as { height?: unknown }).height);
  const { width, height } = source;
  if ("firstImage" in source) {
    assertRgbImage("source.firstImage", source.firstImage, pixels);
    assertRgbImage("source.secondImage", source.secondImage, pixels);
    return { kind: "pair", firstImage: source.firstImage, secondImage: source.secondImage, width, height };
  }
  const image = (source as { image?: unknown }).image;
  const bytes = isTypedArrayOf(image, "Uint8Array");
  if (!bytes && !isTypedArrayOf(image, "Float64Array")) {
    throw new TypeError(`source.image must be a Uint8Array or a Float64Array, got ${show(image)}`);
  }
  const gray = image as GmmData;
  assertLength("source.image", gray, pixels, "one value per pixel of width x height");
  if (!bytes) assertAllFinite("source.image", gray);
  return { kind: "grayscale", image: gray, width, height };
}

export function checkInitializeOptions(options: InitializeOptions, kind: CheckedSource["kind"]): InitializeOptions {
  if (options === undefined) throw new TypeError("options must be { components, iterations }, got undefined");
  assertOptions("options", options);
  const { components, iterations, subtractionThreshold } = options;
  assertInteger("options.components", components, 1, 256);
  assertInteger("options.iterations", iterations, 1);
  // The per-iteration history is allocated up front (as the original's list), so the limit comes first.
  assertAtMost("options.iterations", iterations, GMM_MAX_ITERATIONS, "GMM_MAX_ITERATIONS");
  if (subtractionThreshold !== undefined) {
    assertNumber("options.subtractionThreshold", subtractionThreshold, { min: -Infinity, max: Infinity });
    if (kind !== "pair") {
      throw new RangeError("options.subtractionThreshold needs two images (source.firstImage and source.secondImage)");
    }
    if (components !== 2) {
      throw new RangeError(`options.subtractionThreshold needs options.components = 2 (background and foreground), got ${components}`);
    }
  }
  return { components, iterations, subtractionThreshold };
}
