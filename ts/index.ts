/**
 * fastkernels: numeric kernels in parallel Rust with a TypeScript reference.
 */
export { backend, nativeUnavailableReason } from "./native";
export type { BackendName } from "./native";
export { setDefaultThreads, getDefaultThreads, MAX_THREADS } from "./threads";
export type { KernelOptions, AsyncKernelOptions, ProgressEvent } from "./threads";
export * from "./gmm";
export * from "./polygon";
export * from "./mds";
export * from "./color";
export * from "./estimator";
export * from "./segment";
