// placeholder until crates/codegen lands (branch kernels)
export const MAX_THREADS = 256;
export const MAX_ITERATIONS = 10000000;
export const MAX_COMPONENTS = 65536;
export const MAX_OUTPUT_ELEMENTS = 4294967296;
export const MAX_LABEL_COMPONENTS = 256;
export const DEFAULT_VARIANCE_FLOOR = 1e-12;
