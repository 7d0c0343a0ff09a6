export interface SegmentSummary {
  input: string; secondInput?: string; width: number; height: number;
  channel: "blue" | "green" | "red" | "luma" | "cie94"; components: number;
  model: { weights: number[]; means: number[]; variances: number[]; stdevs: number[] };
  logLikelihoods: number[]; iterations: number; converged: boolean;
  timings: { decode: number; prepare: number; em: number; labels: number; postprocess: number; encode: number }; // ms
  outputs: { output?: string; labels?: string; json?: string; report?: string; figures?: string };
}
export interface ReportSection {
  summary: SegmentSummary;
  data: Float64Array | Uint8Array; // the fitted samples: an 8-bit plane (read as v/255) or CIE94 values in [0,1]
  inputPng: Buffer;               // the input image (as shown), PNG bytes
  segmentationPng: Buffer;        // the segmentation image, PNG bytes
}
