/**
 * `fastkernels segment` as a library: image in, segmentation out. sharp is
 * loaded lazily by these functions only, so importing "fastkernels" for its
 * kernels never loads it.
 */
export { readImagePlane, readImageRgb, IMAGE_CHANNELS } from "./image";
export { writeSegmentation } from "./write";
export type { WriteSegmentationOptions } from "./write";
export { postprocess } from "./postprocess";
export { segmentImage, COMPONENTS_MESSAGE } from "./segment";
export type { ImageChannel, ImagePlane, ReportSection, RgbImageData, SegmentOptions, SegmentSummary } from "./types";
