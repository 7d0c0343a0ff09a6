/**
 * `segmentImage` (what `fastkernels segment` runs) against the original's
 * segmentation computed with OpenCV (fixtures/segment_opencv.py): from the
 * same final parameters, the same labels and the same MORPH_OPEN + MORPH_CLOSE
 * image, pixel for pixel except near exact responsibility ties (masked).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import sharp from "sharp";

import { fitGmm } from "../ts/gmm";
import { readImagePlane, segmentImage } from "../ts/segment";

const FIXTURES = path.join(__dirname, "fixtures");
const DIR = path.join(FIXTURES, "segment_opencv");

interface Case {
  name: string;
  components: number;
  iterations: number;
  width: number;
  height: number;
  model: { weights: number[]; means: number[]; variances: number[]; stdevs: number[] };
  bluePlaneSum: number;
  tiePixels: number;
  maskedPixels: number;
  changedByMorphology: number;
}

const fixture = JSON.parse(readFileSync(path.join(FIXTURES, "segment_opencv.json"), "utf8")) as { cases: Case[] };

async function gray(file: string): Promise<Uint8Array> {
  expect((await sharp(file).metadata()).channels).toBe(1); // an 8-bit greyscale PNG
  const { data, info } = await sharp(file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(1);
  return new Uint8Array(data);
}

describe("segment vs the OpenCV reference (fixtures/segment_opencv.py)", () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(path.join(tmpdir(), "fastkernels-segment-opencv-"));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test.each(fixture.cases.map((c) => [c.name, c] as const))("%s", async (name, c) => {
    const input = path.join(DIR, `${name}.png`);
    // sharp's decode gives OpenCV's plane 0 (blue), byte for byte in sum.
    const plane = await readImagePlane(input);
    expect([plane.width, plane.height]).toEqual([c.width, c.height]);
    expect(plane.data.reduce((s, v) => s + v, 0)).toBe(c.bluePlaneSum);
    // The recorded parameters are this fit's.
    const fit = fitGmm(plane.data, { components: c.components, iterations: c.iterations, threads: 2 });
    expect(Array.from(fit.means)).toEqual(c.model.means);
    expect(Array.from(fit.stdevs)).toEqual(c.model.stdevs);

    const output = path.join(out, `${name}.png`);
    const labels = path.join(out, `${name}.labels.png`);
    const summary = await segmentImage(input, { components: c.components, iterations: c.iterations, threads: 2, output, labels });
    expect(summary.model.means).toEqual(c.model.means);
    expect(summary.model.weights).toEqual(c.model.weights);

    const [ours, oursLabels, expected, expectedLabels, mask] = await Promise.all([
      gray(output),
      gray(labels),
      gray(path.join(DIR, `${name}.expected.png`)),
      gray(path.join(DIR, `${name}.labels.png`)),
      gray(path.join(DIR, `${name}.tiemask.png`)),
    ]);
    let compared = 0;
    const differing: number[] = [];
    for (let i = 0; i < expected.length; i++) {
      if (mask[i] !== 0) continue;
      compared++;
      if (ours[i] !== expected[i] || oursLabels[i] !== expectedLabels[i]) differing.push(i);
    }
    expect(differing).toEqual([]);
    expect(compared).toBe(c.width * c.height - c.maskedPixels);
    // The morphology matters on these images (so the comparison tests it).
    expect(c.changedByMorphology).toBeGreaterThan(0);
  });
});
