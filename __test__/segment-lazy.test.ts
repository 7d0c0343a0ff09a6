/**
 * sharp (and the CLI's progress bar) are loaded lazily: requiring the
 * package for its kernels loads neither; the image functions load sharp.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.join(__dirname, "..");

function probe(script: string): Record<string, boolean> {
  const stdout = execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8", env: { ...process.env, FASTKERNELS_SILENT: "1" } });
  return JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, boolean>;
}

const LOADED = `
const loaded = (name) => Object.keys(require.cache).some((k) => k.includes(require("node:path").sep + "node_modules" + require("node:path").sep + name + require("node:path").sep));
`;

describe("lazy sharp", () => {
  test("require('dist/index.js') and a kernel call load neither sharp nor cli-progress", () => {
    const result = probe(`${LOADED}
const fk = require("./dist/index.js");
fk.computeExpsumStable(Float64Array.of(0.1, 0.5), Float64Array.of(1, 1), Float64Array.of(0, 1), Float64Array.of(0.2, 0.2));
const natives = process.moduleLoadList.filter((m) => /sharp|vips/i.test(m));
console.log(JSON.stringify({ sharp: loaded("sharp"), progress: loaded("cli-progress"), nativeSharp: natives.length > 0, segment: typeof fk.segmentImage === "function" }));
`);
    expect(result).toEqual({ sharp: false, progress: false, nativeSharp: false, segment: true });
  });

  test("readImagePlane loads sharp when it is called", () => {
    const result = probe(`${LOADED}
const fk = require("./dist/index.js");
const before = loaded("sharp");
fk.readImagePlane("__test__/fixtures/segment_opencv/grey.png").then((p) => {
  console.log(JSON.stringify({ before, after: loaded("sharp"), size: p.width === 41 && p.height === 29 }));
});
`);
    expect(result).toEqual({ before: false, after: true, size: true });
  });
});
