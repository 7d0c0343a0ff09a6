/**
 * `fastkernels segment` as a library: image in, segmentation out. sharp is
 * loaded lazily by these functions only, so importing "fastkernels" for its
 * kernels never loads it.
 */
export { readImagePlane, readImageRgb, IMAGE_CHANNELS } from "./image";
export { writeSegmentation } from "./write";
export type { WriteSegmentationOptions } from "./write";
export { postprocess } from "./postprocess";
export { segmentImage, COMPONENTS_MESSAGE, COLOR_SPACES, componentLevel } from "./segment";
export { srgbToLab, labToSrgb } from "./lab";
export type { ImageChannel, ImagePlane, ReportSection, RgbImageData, SegmentColorSpace, SegmentModel, SegmentOptions, SegmentSummary } from "./types";
