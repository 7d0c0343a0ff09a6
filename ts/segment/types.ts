/** Public types of `segmentImage` and its helpers (the `fastkernels segment` command). */
import type { CovarianceType } from "../gmm/multivariate/types";
import type { ProgressEvent } from "../threads";

/**
 * Which plane of a colour image is segmented. `"blue"` is the default because
 * the original reads files with OpenCV (B, G, R order) and takes plane 0.
 * `"luma"` is sharp's greyscale conversion (libvips: Y = 0.2126 R + 0.7152 G +
 * 0.0722 B on linear light, re-encoded with the sRGB curve).
 */
export type ImageChannel = "blue" | "green" | "red" | "luma";

/**
 * What is fitted in one-image mode: `"gray"` (default) one 8-bit plane
 * (`channel`) with the original's 1-D fit; `"rgb"` the three channels as
 * v / 255 (d = 3); `"lab"` CIE L*a*b* (D65, see `srgbToLab`) of the sRGB
 * pixels (d = 3), both with the multivariate fit.
 */
export type SegmentColorSpace = "gray" | "rgb" | "lab";

/** One 8-bit plane of an image, row-major. */
export interface ImagePlane {
  data: Uint8Array;
  width: number;
  height: number;
}

/** An 8-bit image as interleaved R, G, B bytes, row-major. */
export interface RgbImageData {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Options of `segmentImage`; they mirror the flags of `fastkernels segment`. */
export interface SegmentOptions {
  /** Mixture components K (integer >= 2, as the original). Required. */
  components: number;
  /** EM iterations (integer >= 1). Required. */
  iterations: number;
  /** Early stop, as `fitGmm`'s `tol`. Default: none, every iteration runs. */
  tol?: number;
  /** 0 = TypeScript reference, n = native threads; default every core. */
  threads?: number;
  /** Plane of a one-image run. Default `"blue"` (the original's OpenCV plane 0). */
  channel?: ImageChannel;
  /**
   * Default `"gray"` (the original's one-plane fit). `"rgb"` / `"lab"`: a
   * 3-D fit (`fitGmmAsync` with `dims: 3`, `init: "kmeans++"`, seed 0),
   * not with `secondImage` or `channel`; its report has one histogram per
   * channel with the mixture's marginals.
   */
  colorSpace?: SegmentColorSpace;
  /** Covariance type of an `"rgb"` / `"lab"` fit (default `"full"`); not allowed with `"gray"`. */
  covariance?: CovarianceType;
  /** Two-image mode: the CIE94 difference of `path` and this image is segmented. */
  secondImage?: string;
  /** Two-image mode with K = 2 only: raw ΔE94 threshold of the thresholded-subtraction start. */
  subtractionThreshold?: number;
  /**
   * Segmentation PNG: every pixel round(255 × mean of its component),
   * post-processed (8-bit grey). With `"rgb"` / `"lab"`: an 8-bit RGB PNG,
   * every pixel the mean colour of its component (`model.colors`), after the
   * post-processing of the grey-level image round(255 k / (K − 1)).
   */
  output?: string;
  /** Label PNG: every pixel its component index (0 .. K-1), not post-processed. */
  labels?: string;
  /** JSON file with the `SegmentSummary`. */
  json?: string;
  /** HTML report (through `./report`). */
  report?: string;
  /** Folder for the figures (through `./report`). */
  figures?: string;
  /** The original's opening + closing of the segmentation image. Default true. */
  postprocess?: boolean;
  /** After every EM iteration: `{ done, total, logLikelihood }`. */
  onIteration?: (event: ProgressEvent) => void;
  /** Aborts the fit between iterations. */
  signal?: AbortSignal;
  /**
   * Receives this image's report section (images, fitted data, summary), for
   * one report over several images (`renderReportHtml(sections)`).
   */
  onReportSection?: (section: ReportSection) => void;
}

/** What `segmentImage` did: inputs, the fitted model, timings (ms) and the files written. */
export interface SegmentSummary {
  input: string;
  secondInput?: string;
  width: number;
  height: number;
  /** The plane fitted, `"cie94"` in two-image mode, `"rgb"` / `"lab"` for those colour spaces. */
  channel: ImageChannel | "cie94" | "rgb" | "lab";
  /** `"gray"` for the 1-D fits (one plane, or CIE94 in two-image mode). */
  colorSpace: SegmentColorSpace;
  components: number;
  model: SegmentModel;
  logLikelihoods: number[];
  iterations: number;
  converged: boolean;
  timings: { decode: number; prepare: number; em: number; labels: number; postprocess: number; encode: number };
  outputs: { output?: string; labels?: string; json?: string; report?: string; figures?: string };
}

/**
 * The fitted model as plain arrays. 1-D fits (gray, cie94): K `means`,
 * `variances`, `stdevs`. 3-D fits (rgb, lab) add `dims` (3), `covariance`,
 * `covariances` (the `GmmMvModel` layout: K×d×d full, K×d diag, K spherical,
 * d×d tied) and `colors` (K×3 sRGB bytes: the output colour of each
 * component); then `means` is K×d row-major (rgb: v / 255 units, lab: L, a, b)
 * and `variances` / `stdevs` are the K×d per-channel variances (diagonals of
 * the covariances) and their square roots.
 */
export interface SegmentModel {
  weights: number[];
  means: number[];
  variances: number[];
  stdevs: number[];
  dims?: number;
  covariance?: CovarianceType;
  covariances?: number[];
  colors?: number[];
}

/** One segmented image, as the report module draws it. */
export interface ReportSection {
  summary: SegmentSummary;
  /**
   * The fitted samples: an 8-bit plane or CIE94 values in [0, 1] (1-D fits);
   * interleaved rows of 3 (rgb: the 8-bit R, G, B bytes; lab: L*, a*, b*
   * values) for colour fits (`summary.colorSpace` "rgb" / "lab").
   */
  data: Float64Array | Uint8Array;
  inputPng: Buffer;
  segmentationPng: Buffer;
}
