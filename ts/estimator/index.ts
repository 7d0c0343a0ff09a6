/** `GmmEstimator`: the original program's estimator class on the library's kernels. */
export { GmmEstimator } from "./estimator";
export type {
  EstimatorSource,
  ExecuteOptions,
  GrayscaleSource,
  ImagePairSource,
  Initialization,
  InitializeOptions,
  IterationState,
} from "./types";
