/** Public types of `GmmEstimator`. */
import type { RgbImage } from "../color";
import type { GmmData } from "../gmm";

/** One grayscale image: the original's single-image mode. */
export interface GrayscaleSource {
  /** Row-major intensities: 8-bit (read as value / 255) or floats in [0, 1]. */
  image: GmmData;
  width: number;
  height: number;
}

/** Two RGB images: the original's two-image mode (their CIE94 difference is segmented). */
export interface ImagePairSource {
  /** Interleaved RGB, `3 * width * height` values (see `cie94Difference`). */
  firstImage: RgbImage;
  secondImage: RgbImage;
  width: number;
  height: number;
}

export type EstimatorSource = GrayscaleSource | ImagePairSource;

export interface InitializeOptions {
  /** Number of mixture components K (integer >= 1). */
  components: number;
  /** Number of EM iterations `executeExpectationMaximization` runs (integer >= 1). */
  iterations: number;
  /**
   * Two-image mode with K = 2 only: the raw ΔE94 above which a pixel starts
   * in the foreground component (the original's `--subtraction-threshold`;
   * 2.3 is "just perceptible"). Default: undefined, the evenly spaced
   * initialisation.
   */
  subtractionThreshold?: number;
}

/** What `initialize` returns: the original's `(data_matrix, init_means, ...)`. */
export interface Initialization {
  /** The data EM runs on (the image, or the normalised CIE94 difference), row-major. */
  dataMatrix: GmmData;
  width: number;
  height: number;
  components: number;
  iterations: number;
  means: Float64Array;
  variances: Float64Array;
  stdevs: Float64Array;
  weights: Float64Array;
  /** Zeros, to be filled by EM, as in the original. */
  logLikelihoods: Float64Array;
  /** Which initialisation was used. */
  method: "evenlySpaced" | "thresholdedSubtraction";
}

/** The algorithm state after one EM iteration (what the original prints). */
export interface IterationState {
  /** 0-based, as the original's `ITERATION i`. */
  iteration: number;
  means: Float64Array;
  variances: Float64Array;
  stdevs: Float64Array;
  weights: Float64Array;
  /** Log-likelihood of this iteration's parameters. */
  logLikelihood: number;
}

export interface ExecuteOptions {
  /** Called after every iteration with its state (the original prints it here). */
  onIteration?: (state: IterationState) => void;
}
