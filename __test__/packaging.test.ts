/**
 * Packaging: per-platform packages, the release workflow (linted, since it
 * cannot run here), the fallback warning, and the end-to-end package check
 * (scripts/pack-check.cjs: pack, offline install, ESM + CJS, native and
 * reference).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const workflow = fs.readFileSync(path.join(root, ".github", "workflows", "release.yml"), "utf8");

/** Rust target triple -> napi platform suffix and the npm fields it implies. */
const targets: Record<string, { suffix: string; os: string; cpu: string; libc?: string }> = {
  "x86_64-unknown-linux-gnu": { suffix: "linux-x64-gnu", os: "linux", cpu: "x64", libc: "glibc" },
  "x86_64-unknown-linux-musl": { suffix: "linux-x64-musl", os: "linux", cpu: "x64", libc: "musl" },
  "aarch64-unknown-linux-gnu": { suffix: "linux-arm64-gnu", os: "linux", cpu: "arm64", libc: "glibc" },
  "x86_64-apple-darwin": { suffix: "darwin-x64", os: "darwin", cpu: "x64" },
  "aarch64-apple-darwin": { suffix: "darwin-arm64", os: "darwin", cpu: "arm64" },
  "x86_64-pc-windows-msvc": { suffix: "win32-x64-msvc", os: "win32", cpu: "x64" },
};

function node(args: string[], env: Record<string, string | undefined> = {}) {
  const clean = { ...process.env };
  delete clean.FASTKERNELS_BACKEND;
  delete clean.FASTKERNELS_SILENT;
  delete clean.NAPI_RS_NATIVE_LIBRARY_PATH;
  return spawnSync(process.execPath, args, { cwd: root, env: { ...clean, ...env }, encoding: "utf8" });
}

describe("per-platform packages", () => {
  test("napi.targets covers the six required platforms", () => {
    expect([...pkg.napi.targets].sort()).toEqual(Object.keys(targets).sort());
  });

  test.each(Object.entries(targets))("npm/ package for %s matches napi create-npm-dirs", (triple, t) => {
    const dir = path.join(root, "npm", t.suffix);
    const sub = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    expect(sub.name).toBe(`${pkg.name}-${t.suffix}`);
    expect(sub.version).toBe(pkg.version);
    expect(sub.main).toBe(`${pkg.napi.binaryName}.${t.suffix}.node`);
    expect(sub.files).toEqual([sub.main]);
    expect(sub.os).toEqual([t.os]);
    expect(sub.cpu).toEqual([t.cpu]);
    expect(sub.libc).toEqual(t.libc ? [t.libc] : undefined);
    expect(sub.engines).toEqual(pkg.engines);
    expect(sub.license).toBe(pkg.license);
    // The generated loader asks for exactly this package on this platform.
    expect(fs.readFileSync(path.join(root, "index.js"), "utf8")).toContain(`require('${sub.name}')`);
    expect(triple).toBeTruthy();
  });

  test("the root package ships no binary and gets its optionalDependencies at publish time", () => {
    expect(pkg.files).not.toContain("*.node");
    expect(pkg.files.some((f: string) => f.endsWith(".node"))).toBe(false);
    expect(pkg.optionalDependencies).toBeUndefined();
    expect(pkg.scripts.prepublishOnly).toBe("napi pre-publish -t npm --no-gh-release");
  });
});

describe("release workflow", () => {
  test("actionlint finds nothing in .github/workflows", () => {
    const result = node([path.join(root, "scripts", "lint-workflows.cjs")]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/actionlint: 1 workflow file\(s\) clean/);
    expect(result.status).toBe(0);
  });

  test("actionlint does report a broken workflow (the lint can fail)", () => {
    const broken = fs.mkdtempSync(path.join(os.tmpdir(), "fk-wf-"));
    try {
      fs.writeFileSync(path.join(broken, "bad.yml"), workflow.replace("needs: [test-linux, test-macos-windows, package-check]", "needs: [test-linux, tests-mac]"));
      const script = `require(${JSON.stringify(path.join(root, "scripts", "lint-workflows.cjs"))}).lintWorkflows(${JSON.stringify(broken)}).then((r) => process.stdout.write(JSON.stringify(r.findings)))`;
      const findings = JSON.parse(node(["-e", script]).stdout);
      expect(findings.join("\n")).toMatch(/needs job "tests-mac" which does not exist/);
    } finally {
      fs.rmSync(broken, { recursive: true, force: true });
    }
  });

  test("builds every napi target with the cross toolchains napi-rs documents", () => {
    for (const triple of pkg.napi.targets) expect(workflow).toContain(`target: ${triple}`);
    expect(workflow).toMatch(/target: aarch64-unknown-linux-gnu\s+flags: --use-napi-cross/);
    expect(workflow).toMatch(/target: x86_64-unknown-linux-musl\s+flags: -x/);
    expect(workflow).toContain("cargo-zigbuild");
  });

  test("tests each target on its platform, musl on Alpine", () => {
    expect(workflow).toMatch(/'alpine'/);
    expect(workflow).toContain("ubuntu-24.04-arm");
    expect(workflow).toMatch(/host: macos-latest\s+target: x86_64-apple-darwin\s+architecture: x64/);
    expect(workflow).toMatch(/host: windows-latest\s+target: x86_64-pc-windows-msvc/);
    expect(workflow).toContain("npm run check:pack");
  });

  test("publishes with provenance after every test job", () => {
    expect(workflow).toContain("id-token: write");
    expect(workflow).toContain("npm publish --provenance --access public");
    expect(workflow).toContain("needs: [test-linux, test-macos-windows, package-check]");
    expect(workflow).toContain("napi artifacts --output-dir artifacts --npm-dir npm");
  });
});

describe("fallback when no binary loads (this checkout, loader pointed at a missing file)", () => {
  // NAPI_RS_NATIVE_LIBRARY_PATH makes the generated loader try only that path.
  const missing = { NAPI_RS_NATIVE_LIBRARY_PATH: path.join(root, "no-such-dir", "fastkernels.node") };
  const bothFormats = [
    "const cjs = require('./dist/index.js');",
    "import('fastkernels').then((esm) => {",
    "  process.stdout.write(JSON.stringify({ esm: esm.backend, cjs: cjs.backend, same: esm.default === cjs, reason: cjs.nativeUnavailableReason }));",
    "});",
  ].join("\n");

  test("backend is js and ONE warning names the loader's error, even with ESM + CJS in one process", () => {
    const result = node(["-e", bothFormats], missing);
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({ esm: "js", cjs: "js", same: true });
    const warnings = result.stderr.split("\n").filter((line) => line.includes("FASTKERNELS_NO_NATIVE"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("FastkernelsWarning: fastkernels is running on its TypeScript reference");
    expect(warnings[0]).toContain("Cannot find native binding");
    expect(warnings[0]).toContain(`Cannot find module '${missing.NAPI_RS_NATIVE_LIBRARY_PATH}'`);
    expect(warnings[0]).toContain("Set FASTKERNELS_SILENT=1 to hide this warning.");
    expect(out.reason).toContain(`Cannot find module '${missing.NAPI_RS_NATIVE_LIBRARY_PATH}'`);
    // One line: Node's multi-line "Require stack" is left out.
    expect(out.reason).not.toContain("\n");
  });

  test("on a platform with no prebuilt binary (riscv64, simulated) the warning is one plain line naming it and how to build", () => {
    // process.arch reads riscv64 before the package loads, so the loader looks
    // only for linux-riscv64 files and packages, none of which exist.
    const fake = path.join(os.tmpdir(), `fastkernels-fake-riscv64-${process.pid}.cjs`);
    fs.writeFileSync(fake, 'Object.defineProperty(process, "arch", { value: "riscv64" });\n');
    try {
      const result = node(["--require", fake, "-e", bothFormats]);
      expect(result.status).toBe(0);
      const out = JSON.parse(result.stdout);
      expect(out).toMatchObject({ esm: "js", cjs: "js", same: true });
      const warnings = result.stderr.split("\n").filter((line) => line.includes("FASTKERNELS_NO_NATIVE"));
      expect(warnings).toHaveLength(1);
      const platform = process.platform === "linux" ? /no prebuilt native binary for linux-riscv64-(gnu|musl) \(prebuilt: linux-x64-gnu, / : /no prebuilt native binary for \w+-riscv64 \(prebuilt: /;
      expect(warnings[0]).toMatch(platform);
      expect(warnings[0]).toContain(
        "using the TypeScript reference (same results, slower). To build it: install Rust, run `npm install` in a clone of the fastkernels repository",
      );
      expect(warnings[0]).not.toMatch(/npm has a bug|wasi|Cannot find/);
      // The loader's full error stays available.
      expect(out.reason).toContain("Cannot find module 'fastkernels-");
    } finally {
      fs.rmSync(fake, { force: true });
    }
  });

  test("FASTKERNELS_SILENT=1 hides the warning, not the fallback", () => {
    const result = node(["-e", bothFormats], { ...missing, FASTKERNELS_SILENT: "1" });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ esm: "js", cjs: "js" });
    expect(result.stderr).not.toContain("FASTKERNELS_NO_NATIVE");
  });
});

describe("package check (scripts/pack-check.cjs)", () => {
  test("tarballs hold no sources; offline installs work with and without the platform package", () => {
    const result = node([path.join(root, "scripts", "pack-check.cjs")]);
    const lines = result.stdout.trim().split("\n");
    const summary = JSON.parse(lines[lines.length - 1]);
    expect(summary.failures).toEqual([]);
    expect(summary.ok).toBe(true);
    expect(result.status).toBe(0);
    expect(summary.host).toBe("linux-x64-gnu");
    expect(summary.platformTarball.files).toBe(3);
    expect(summary.probes.length).toBeGreaterThan(0);
    expect(summary.fallbackWarning).toContain(`${pkg.name}-linux-x64-gnu`);
  }, 240_000);
});
