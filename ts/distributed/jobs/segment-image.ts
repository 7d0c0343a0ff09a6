/**
 * `segment-image`: the segment pipeline (`segmentImage`: decode, fit,
 * labels, clean-up, files) on one image under the data root. Outputs are
 * `<name>.segmentation.png`, `<name>.json` (and `<name>.labels.png` when
 * asked), next to the input or under `outDir`, as `fastkernels segment
 * --out-dir` names them; paths in the summary are relative to the data root.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";

import { segmentImage } from "../../segment/segment";
import type { SegmentSummary } from "../../segment/types";
import { ensureFolder, relativeToRoot, resolveForRead, resolveForWrite } from "../data-root";
import type { SegmentImagePayload } from "../schema";
import type { JobContext } from "./context";

function stemOf(file: string): string {
  const base = path.posix.basename(file);
  const ext = path.posix.extname(base);
  return ext ? base.slice(0, -ext.length) : base;
}

export async function runSegmentImage(payload: SegmentImagePayload, ctx: JobContext): Promise<SegmentSummary> {
  const { realRoot } = ctx;
  const input = await resolveForRead(realRoot, "input image", payload.input);
  const { labels: wantLabels, secondImage, ...options } = payload.options;
  const second = secondImage === undefined ? undefined : await resolveForRead(realRoot, "second image", secondImage);
  const outRel = payload.outDir ?? path.posix.dirname(payload.input);
  await ensureFolder(realRoot, "output folder", outRel);
  const stem = stemOf(payload.input);
  const output = await resolveForWrite(realRoot, "output", path.posix.join(outRel, `${stem}.segmentation.png`));
  const json = await resolveForWrite(realRoot, "output", path.posix.join(outRel, `${stem}.json`));
  const labels = wantLabels ? await resolveForWrite(realRoot, "output", path.posix.join(outRel, `${stem}.labels.png`)) : undefined;
  const summary = await segmentImage(input, {
    ...options,
    ...(second === undefined ? {} : { secondImage: second }),
    ...(ctx.threads === undefined ? {} : { threads: ctx.threads }),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    output,
    ...(labels === undefined ? {} : { labels }),
    onIteration: (event) => void ctx.progress({ done: event.done, total: event.total }).catch(() => undefined),
  });
  const outputs: SegmentSummary["outputs"] = { output: relativeToRoot(realRoot, output), json: relativeToRoot(realRoot, json) };
  if (labels !== undefined) outputs.labels = relativeToRoot(realRoot, labels);
  const result: SegmentSummary = {
    ...summary,
    input: relativeToRoot(realRoot, input),
    ...(second === undefined ? {} : { secondInput: relativeToRoot(realRoot, second) }),
    outputs,
  };
  await writeFile(json, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
