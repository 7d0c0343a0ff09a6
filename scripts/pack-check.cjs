// The local proof that the published packages work, run by `npm run
// check:pack` and by __test__/packaging.test.ts (so by `npm test`):
//
//  1. `napi artifacts` moves the addon built in this clone into a staged copy
//     of npm/<host target> (the repository's npm/ is left untouched), and
//     `napi pre-publish --skip-optional-publish` on that copy adds the
//     platform package to optionalDependencies, as `npm publish` will;
//  2. `npm pack` the root package and that platform package, and check what
//     each tarball holds (no sources, tests, test data, target/ or benches);
//  3. install both tarballs into a fresh project without the public registry
//     (an empty npm cache and scripts/local-registry.cjs on loopback, which
//     serves the runtime dependencies packed from node_modules): ESM import
//     and CJS require both work, `backend` is "native", the addon comes from
//     the platform package, the kernels in scripts/kernel-probes.cjs give
//     their known answers on both backends, and the installed command line
//     runs `fastkernels segment photo.png --output --json --report` (three
//     charts in the report) and `fastkernels demo`;
//  4. install the root package alone: `backend` is "js", the answers are the
//     same, and the fallback warning (one plain line: the platform package is
//     not installed) appears exactly once at install and once in a process
//     that loads the package through both ESM and CJS (and not at all with
//     FASTKERNELS_SILENT=1); with process.arch faked to riscv64 (a platform
//     with no prebuilt binary) the line names that platform and how to build.
//
// It reuses the addon and dist/ that `npm ci` / `npm test` already built
// (rebuilding dist/ only when a ts/ source is newer). The runtime
// dependencies (commander, sharp, cli-progress, vega, vega-lite and their
// whole closure, several versions of one package included) are packed from
// node_modules and served by the local registry, so the installs need
// neither the public registry nor the npm cache. Prints a JSON summary on its last
// line; exits non-zero with the reasons on any failure.
"use strict";
const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const { probes } = require("./kernel-probes.cjs");

const root = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const binaryName = pkg.napi.binaryName;
const napiCli = path.join(root, "node_modules", "@napi-rs", "cli", "dist", "cli.js");
const npmCli = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath) ? process.env.npm_execpath : null;
const keep = process.env.FASTKERNELS_PACK_CHECK_KEEP === "1";

const failures = [];
const fail = (message) => failures.push(message);
const log = (message) => process.stderr.write(`pack-check: ${message}\n`);

/** Rust target triple -> napi platform suffix, for package.json "napi.targets". */
const tripleSuffix = {
  "x86_64-unknown-linux-gnu": "linux-x64-gnu",
  "x86_64-unknown-linux-musl": "linux-x64-musl",
  "aarch64-unknown-linux-gnu": "linux-arm64-gnu",
  "aarch64-unknown-linux-musl": "linux-arm64-musl",
  "x86_64-apple-darwin": "darwin-x64",
  "aarch64-apple-darwin": "darwin-arm64",
  "x86_64-pc-windows-msvc": "win32-x64-msvc",
  "aarch64-pc-windows-msvc": "win32-arm64-msvc",
};

/** The napi platform suffix of this machine, e.g. "linux-x64-gnu". */
function hostSuffix() {
  const { platform, arch } = process;
  if (platform === "win32") return `win32-${arch}-msvc`;
  if (platform === "linux") {
    const header = process.report?.getReport?.().header;
    return `linux-${arch}-${header?.glibcVersionRuntime ? "gnu" : "musl"}`;
  }
  return `${platform}-${arch}`;
}

/** Environment for child processes: none of npm's per-run settings leak in. */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key.startsWith("FASTKERNELS_") || key.startsWith("NAPI_RS_")) continue;
    if (key === "NODE_OPTIONS" || key === "INIT_CWD") continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 << 20, ...options });
  if (result.error) throw result.error;
  return result;
}

function runOk(what, command, args, options) {
  const result = run(command, args, options);
  if (result.status !== 0) {
    throw new Error(`${what} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

function npm(what, args, options = {}) {
  // Run npm through the same Node; under `npm run` npm_execpath names its CLI.
  return npmCli ? runOk(what, process.execPath, [npmCli, ...args], options) : runOk(what, "npm", args, { shell: process.platform === "win32", ...options });
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function ensureDist() {
  const entry = path.join(root, "dist", "index.js");
  const esm = path.join(root, "dist", "index.mjs");
  const stale = !fs.existsSync(entry) || !fs.existsSync(esm) || fs.statSync(entry).mtimeMs < newestMtime(path.join(root, "ts"));
  if (stale) {
    log("dist/ is missing or older than ts/: npm run build:ts");
    npm("npm run build:ts", ["run", "build:ts"], { cwd: root, env: cleanEnv() });
  }
}

// ---- tarball contents -------------------------------------------------------

const rootAllowed = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICEN[CS]E(\.md|\.txt)?$/,
  /^index\.js$/,
  /^index\.d\.ts$/,
  /^scripts\/install\.cjs$/,
  /^dist\/.+\.(js|mjs|d\.ts|d\.mts)$/,
];
const forbidden = [
  [/^crates\//, "Rust sources (crates/)"],
  [/^ts\//, "TypeScript sources (ts/)"],
  [/^__test__\//, "tests (__test__/)"],
  [/^benches\//, "benchmarks (benches/)"],
  [/(^|\/)target\//, "cargo output (target/)"],
  [/(^|\/)node_modules\//, "node_modules/"],
  [/^npm\//, "platform package dirs (npm/)"],
  [/^\.github\//, "workflows (.github/)"],
  [/^\.ci\//, "CI scripts (.ci/)"],
  [/(^|\/)fixtures?\//, "test data (fixtures/)"],
  [/\.rs$/, "Rust sources (*.rs)"],
  [/(?<!\.d)\.m?ts$/, "TypeScript sources (*.ts)"],
  [/\.node$/, "a native binary (the root package must not ship one)"],
  [/^Cargo\.(toml|lock)$/, "Cargo manifests"],
  [/\.tgz$/, "tarballs"],
];

function checkRootContents(files) {
  for (const required of ["package.json", "README.md", "index.js", "index.d.ts", "dist/index.js", "dist/index.mjs", "dist/index.d.ts", "dist/index.d.mts", "scripts/install.cjs"]) {
    if (!files.includes(required)) fail(`root tarball lacks ${required}`);
  }
  for (const file of files) {
    const hit = forbidden.find(([pattern]) => pattern.test(file));
    if (hit) fail(`root tarball contains ${hit[1]}: ${file}`);
    else if (!rootAllowed.some((pattern) => pattern.test(file))) fail(`root tarball contains an unexpected file: ${file}`);
  }
}

function checkPlatformContents(files, nodeFile) {
  const expected = ["README.md", nodeFile, "package.json"].sort();
  if (JSON.stringify([...files].sort()) !== JSON.stringify(expected)) {
    fail(`platform tarball should hold exactly ${expected.join(", ")}; holds ${files.join(", ")}`);
  }
}

function pack(what, dir, destination) {
  const out = npm(`npm pack ${what}`, ["pack", "--json", "--ignore-scripts", "--pack-destination", destination], { cwd: dir, env: cleanEnv() });
  const [info] = JSON.parse(out.stdout);
  return {
    tarball: path.join(destination, info.filename),
    files: info.files.map((f) => f.path),
    size: info.size,
    unpackedSize: info.unpackedSize,
  };
}

/** Folders of every installed production dependency, direct or transitive (`npm ls --omit=dev`). */
function productionClosure() {
  const out = npm("npm ls --omit=dev", ["ls", "--omit=dev", "--all", "--parseable"], { cwd: root, env: cleanEnv() });
  const dirs = out.stdout.split("\n").map((line) => line.trim()).filter(Boolean);
  return [...new Set(dirs.filter((dir) => path.resolve(dir) !== path.resolve(root)))];
}

// ---- fresh projects ---------------------------------------------------------

/**
 * Starts scripts/local-registry.cjs over the packed dependencies (one entry
 * per name@version) and returns its URL and a stop function. Every npm
 * install below resolves through it, so several versions of one package
 * (nested where npm puts them) install as from the public registry, which is
 * never contacted.
 */
function startLocalRegistry(dependencies, tmp) {
  const index = path.join(tmp, "registry-index.json");
  const portFile = path.join(tmp, "registry-port");
  const unique = new Map(dependencies.map((d) => [`${d.manifest.name}@${d.manifest.version}`, d]));
  fs.writeFileSync(index, JSON.stringify([...unique.values()]));
  const child = spawn(process.execPath, [path.join(__dirname, "local-registry.cjs"), index, portFile], { stdio: ["pipe", "inherit", "inherit"] });
  const waitUntil = Date.now() + 10_000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!fs.existsSync(portFile) || fs.readFileSync(portFile, "utf8") === "") {
    if (Date.now() > waitUntil) {
      child.kill();
      throw new Error("the local registry did not start within 10 s");
    }
    Atomics.wait(pause, 0, 0, 20);
  }
  const url = `http://127.0.0.1:${fs.readFileSync(portFile, "utf8").trim()}/`;
  return { url, stop: () => child.kill() };
}

function installOffline(projectDir, tarballs, cacheDir, registry) {
  fs.mkdirSync(projectDir, { recursive: true });
  fs.writeFileSync(
    path.join(projectDir, "package.json"),
    JSON.stringify({ name: path.basename(projectDir), version: "1.0.0", private: true }, null, 2),
  );
  const result = npm(
    `npm install into ${path.basename(projectDir)}`,
    ["install", "--no-audit", "--no-fund", "--no-update-notifier", "--foreground-scripts",
      "--cache", cacheDir, "--registry", registry, ...tarballs],
    { cwd: projectDir, env: cleanEnv() },
  );
  const output = `${result.stdout}\n${result.stderr}`;
  if (/building the native addon|cargo|napi build/i.test(output)) {
    fail(`installing the tarball tried to build the addon in ${path.basename(projectDir)}:\n${output}`);
  }
  return output;
}

/**
 * A consumer that loads fastkernels through ESM import AND CJS require in one
 * process, runs every probe on both backends and reports what it saw.
 */
const consumerSource = (probesPath) => `
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const esm = await import("fastkernels");
const cjs = require("fastkernels");
const { probes } = require(${JSON.stringify(probesPath)});
const report = {
  esmBackend: esm.backend,
  cjsBackend: cjs.backend,
  sameInstance: esm.default === cjs && esm.backend === cjs.backend,
  esmNames: Object.keys(esm).filter((k) => k !== "default").sort(),
  cjsNames: Object.keys(cjs).filter((k) => k !== "__esModule").sort(),
  reason: cjs.nativeUnavailableReason,
  nativeFrom: Object.keys(require.cache).filter((f) => f.endsWith(".node")),
  probes: [],
};
for (const probe of probes) {
  for (const [api, fk] of [["esm", esm], ["cjs", cjs]]) {
    for (const threads of [0, 2]) {
      let error = null;
      try {
        error = await probe.check(fk, threads);
      } catch (e) {
        error = "threw " + (e && e.stack || e);
      }
      report.probes.push({ name: probe.name, api, threads, error });
    }
  }
}
process.stdout.write(JSON.stringify(report));
`;

function runConsumer(projectDir, env) {
  const file = path.join(projectDir, "consumer.mjs");
  fs.writeFileSync(file, consumerSource(path.join(__dirname, "kernel-probes.cjs")));
  const result = runOk(`consumer in ${path.basename(projectDir)}`, process.execPath, [file], { cwd: projectDir, env: cleanEnv(env) });
  return { report: JSON.parse(result.stdout), stderr: result.stderr };
}

function checkProbes(where, report) {
  for (const p of report.probes) if (p.error) fail(`${where}: ${p.name} via ${p.api} with threads ${p.threads}: ${p.error}`);
}

function countWarnings(stderr) {
  return (stderr.match(/FASTKERNELS_NO_NATIVE/g) || []).length;
}

// ---- main -------------------------------------------------------------------

function main() {
  const started = Date.now();
  let stopRegistry;
  const suffix = hostSuffix();
  const nodeFile = `${binaryName}.${suffix}.node`;
  const platformDir = path.join(root, "npm", suffix);
  if (!fs.existsSync(path.join(platformDir, "package.json"))) {
    throw new Error(`no npm/${suffix}/package.json: this host is not one of package.json "napi.targets"`);
  }
  if (!fs.existsSync(path.join(root, nodeFile))) {
    throw new Error(`${nodeFile} is missing: build the addon first (npm ci builds it; or npm run build:native)`);
  }
  if (probes.length === 0) throw new Error("scripts/kernel-probes.cjs lists no kernel: nothing would prove the kernels work");
  ensureDist();

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fastkernels-pack-check-"));
  try {
    // 1. napi artifacts into a staged copy of npm/.
    const stage = path.join(tmp, "stage");
    fs.mkdirSync(path.join(stage, "artifacts", `bindings-${suffix}`), { recursive: true });
    // napi artifacts insists on every configured target; locally there is
    // only this host's, so the staged manifest lists just that one.
    const triple = Object.keys(tripleSuffix).find((t) => tripleSuffix[t] === suffix && pkg.napi.targets.includes(t));
    if (!triple) throw new Error(`no target in package.json "napi.targets" builds ${suffix}`);
    const stagedPkg = { ...pkg, napi: { ...pkg.napi, targets: [triple] } };
    fs.writeFileSync(path.join(stage, "package.json"), JSON.stringify(stagedPkg, null, 2));
    fs.cpSync(path.join(root, "npm"), path.join(stage, "npm"), { recursive: true, filter: (src) => !src.endsWith(".node") });
    fs.copyFileSync(path.join(root, nodeFile), path.join(stage, "artifacts", `bindings-${suffix}`, nodeFile));
    runOk("napi artifacts", process.execPath, [napiCli, "artifacts", "--cwd", stage, "--output-dir", "artifacts", "--npm-dir", "npm"], { env: cleanEnv() });
    const staged = path.join(stage, "npm", suffix, nodeFile);
    if (!fs.existsSync(staged) || !fs.readFileSync(staged).equals(fs.readFileSync(path.join(root, nodeFile)))) {
      throw new Error(`napi artifacts did not place ${nodeFile} into npm/${suffix}`);
    }

    // What `npm publish` does first (prepublishOnly): napi pre-publish adds
    // the platform packages as optionalDependencies. Here on the staged copy,
    // without publishing anything.
    runOk("napi pre-publish", process.execPath, [napiCli, "pre-publish", "--cwd", stage, "-t", "npm", "--no-gh-release", "--skip-optional-publish"], { env: cleanEnv() });
    const published = JSON.parse(fs.readFileSync(path.join(stage, "package.json"), "utf8")).optionalDependencies;
    const expectedOptional = { [`${pkg.name}-${suffix}`]: pkg.version };
    if (JSON.stringify(published) !== JSON.stringify(expectedOptional)) {
      fail(`napi pre-publish should add optionalDependencies ${JSON.stringify(expectedOptional)}; got ${JSON.stringify(published)}`);
    }

    // 2. pack and inspect.
    const tarballs = path.join(tmp, "tarballs");
    fs.mkdirSync(tarballs);
    const rootPack = pack("the root package", root, tarballs);
    checkRootContents(rootPack.files);
    const platformPack = pack(`npm/${suffix}`, path.join(stage, "npm", suffix), tarballs);
    checkPlatformContents(platformPack.files, nodeFile);
    // The runtime dependencies and everything they need (as installed here,
    // optional platform packages included), packed from node_modules so no
    // registry is needed.
    const dependencies = productionClosure().map((dir) => ({
      manifest: JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")),
      tarball: pack(path.relative(root, dir), dir, tarballs).tarball,
    }));
    const registry = startLocalRegistry(dependencies, tmp);
    stopRegistry = registry.stop;
    const cache = path.join(tmp, "empty-npm-cache");

    // 3. root + platform package: native.
    const nativeApp = path.join(tmp, "app-native");
    const nativeInstall = installOffline(nativeApp, [rootPack.tarball, platformPack.tarball], cache, registry.url);
    if (countWarnings(nativeInstall) !== 0) fail(`installing with the platform package printed a fallback warning:\n${nativeInstall}`);
    const native = runConsumer(nativeApp, {});
    const n = native.report;
    if (n.esmBackend !== "native" || n.cjsBackend !== "native") {
      fail(`with the platform package installed, backend should be "native" (esm ${n.esmBackend}, cjs ${n.cjsBackend}): ${n.reason}`);
    }
    const expectedFrom = path.join(nativeApp, "node_modules", `${pkg.name}-${suffix}`, nodeFile);
    if (!n.nativeFrom.includes(expectedFrom)) fail(`the addon should load from the platform package (${expectedFrom}); loaded ${n.nativeFrom.join(", ") || "none"}`);
    if (!n.sameInstance) fail("ESM import and CJS require gave different module instances");
    if (JSON.stringify(n.esmNames) !== JSON.stringify(n.cjsNames)) fail(`ESM and CJS export different names: ${n.esmNames} vs ${n.cjsNames}`);
    if (countWarnings(native.stderr) !== 0) fail(`the native install printed a fallback warning:\n${native.stderr}`);
    checkProbes("native install", n);

    // 3b. the command line from the installed package: the segment job with
    // its report (sharp, vega, vega-lite from the tarballs), and the demo.
    const bin = path.join(nativeApp, "node_modules", ".bin", "fastkernels");
    const photo = path.join(nativeApp, "photo.png");
    runOk("make a test photo", process.execPath, ["-e", `
      const sharp = require("sharp");
      const w = 120, h = 80, px = Buffer.alloc(w * h * 3);
      for (let i = 0; i < w * h; i++) { const x = i % w; px.set([30, 90, x < 40 ? 40 : x < 80 ? 130 : 220], 3 * i); }
      sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toFile(${JSON.stringify(photo)}).catch((e) => { console.error(e); process.exit(1); });
    `], { cwd: nativeApp, env: cleanEnv() });
    runOk("fastkernels segment from the installed package", bin,
      ["segment", "photo.png", "--components", "3", "--iterations", "8", "--output", "seg.png", "--json", "fit.json", "--report", "report.html", "--quiet"],
      { cwd: nativeApp, env: cleanEnv() });
    for (const file of ["seg.png", "fit.json", "report.html"]) {
      if (!fs.existsSync(path.join(nativeApp, file))) fail(`fastkernels segment from the installed package did not write ${file}`);
    }
    const report = fs.existsSync(path.join(nativeApp, "report.html")) ? fs.readFileSync(path.join(nativeApp, "report.html"), "utf8") : "";
    if ((report.match(/<svg\b/g) || []).length !== 3) fail("the report of the installed package should contain three SVG charts");
    runOk("fastkernels demo from the installed package", bin, ["demo", "--width", "160", "--height", "100", "--out", "demo-out"], { cwd: nativeApp, env: cleanEnv() });
    for (const file of ["input.png", "segmentation.png"]) {
      if (!fs.existsSync(path.join(nativeApp, "demo-out", file))) fail(`fastkernels demo from the installed package did not write ${file}`);
    }

    // 4. root package alone: reference, one warning.
    const jsApp = path.join(tmp, "app-js");
    const jsInstall = installOffline(jsApp, [rootPack.tarball], cache, registry.url);
    const js = runConsumer(jsApp, {});
    const j = js.report;
    if (j.esmBackend !== "js" || j.cjsBackend !== "js") fail(`without a platform package, backend should be "js" (esm ${j.esmBackend}, cjs ${j.cjsBackend})`);
    if (j.nativeFrom.length !== 0) fail(`the root package alone loaded a native file: ${j.nativeFrom}`);
    const warnings = countWarnings(js.stderr);
    if (warnings !== 1) fail(`the fallback warning should appear exactly once with ESM + CJS in one process; appeared ${warnings} times:\n${js.stderr}`);
    const warningLine = js.stderr.split("\n").find((line) => line.includes("FASTKERNELS_NO_NATIVE")) || "";
    const notInstalled = `fastkernels: the native binary for ${suffix} is not installed (its package ${pkg.name}-${suffix} is an optional dependency`;
    if (!warningLine.includes(notInstalled) || /npm has a bug|wasi/i.test(warningLine)) {
      fail(`the warning should say in one plain line that ${pkg.name}-${suffix} is not installed; got: ${warningLine}`);
    }
    if (!/FASTKERNELS_SILENT=1/.test(warningLine)) fail(`the warning should say how to silence it; got: ${warningLine}`);
    if (!j.reason || !j.reason.includes("Cannot find native binding")) fail(`nativeUnavailableReason should carry the loader's error; got ${j.reason}`);
    checkProbes("root-only install", j);
    if (countWarnings(jsInstall) !== 1 || !jsInstall.includes(notInstalled)) {
      fail(`installing the root package alone should print the same one line once; printed:\n${jsInstall}`);
    }
    // A platform with no prebuilt binary at all (simulated: process.arch
    // reads riscv64 before the package loads, so the loader looks for
    // linux-riscv64 files and packages that do not exist).
    const fakeArch = path.join(tmp, "fake-riscv64.cjs");
    fs.writeFileSync(fakeArch, 'Object.defineProperty(process, "arch", { value: "riscv64" });\n');
    const riscv = runConsumer(jsApp, { NODE_OPTIONS: `--require ${fakeArch}` });
    const riscvLine = riscv.stderr.split("\n").find((line) => line.includes("FASTKERNELS_NO_NATIVE")) || "";
    const riscvPlatform = suffix.replace(/^(\w+)-\w+/, "$1-riscv64");
    if (countWarnings(riscv.stderr) !== 1 || riscv.report.cjsBackend !== "js" ||
        !riscvLine.includes(`fastkernels: no prebuilt native binary for ${riscvPlatform} (prebuilt: `) ||
        !riscvLine.includes("using the TypeScript reference (same results, slower). To build it: install Rust")) {
      fail(`on a platform without a prebuilt binary the warning should be one plain line; got:\n${riscv.stderr}`);
    }
    checkProbes("root-only install as riscv64", riscv.report);
    const silent = runConsumer(jsApp, { FASTKERNELS_SILENT: "1" });
    if (countWarnings(silent.stderr) !== 0 || silent.report.cjsBackend !== "js") fail(`FASTKERNELS_SILENT=1 should hide the warning:\n${silent.stderr}`);

    const summary = {
      ok: failures.length === 0,
      host: suffix,
      rootTarball: { file: path.basename(rootPack.tarball), size: rootPack.size, unpackedSize: rootPack.unpackedSize, files: rootPack.files.length },
      platformTarball: { file: path.basename(platformPack.tarball), size: platformPack.size, unpackedSize: platformPack.unpackedSize, files: platformPack.files.length },
      probes: probes.map((p) => p.name),
      fallbackWarning: warningLine.trim(),
      noPrebuiltWarning: riscvLine.trim(),
      seconds: Math.round((Date.now() - started) / 100) / 10,
      failures,
    };
    return summary;
  } finally {
    stopRegistry?.();
    if (keep) log(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

let summary;
try {
  summary = main();
} catch (error) {
  fail(error && error.message ? error.message : String(error));
  summary = { ok: false, failures };
}
for (const message of failures) log(`FAIL ${message}`);
if (summary.ok) {
  log(`ok: root ${summary.rootTarball.size} B packed, ${summary.platformTarball.file} ${summary.platformTarball.size} B packed; ${summary.seconds} s`);
}
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exitCode = summary.ok ? 0 : 1;
