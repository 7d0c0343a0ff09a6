// `npm install` hook. In a clone of the repository (crates/ present) it builds
// the native addon for this machine in release mode when cargo is available;
// otherwise it says why fastkernels will run on its TypeScript reference. An
// installed package from the registry ships prebuilt binaries and skips this.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const log = (message) => console.log(`fastkernels: ${message}`);

// A function, not process.exit(): the published-package branch must let
// process warnings (emitted on the next tick) reach the terminal.
function main() {
  if (process.env.FASTKERNELS_SKIP_BUILD === "1") {
    log("FASTKERNELS_SKIP_BUILD=1, not building the native addon.");
    return;
  }
  if (!fs.existsSync(path.join(root, "crates", "node", "Cargo.toml"))) {
    // A published package: the binary comes from the platform package npm
    // picked for this os/cpu/libc. Loading the package says, in one line, when
    // there is none (which platform, that the TypeScript reference is used, how
    // to build it); nothing is printed when the binary loads.
    try {
      require(path.join(root, "dist", "native.js"));
    } catch {
      // dist/ missing or FASTKERNELS_BACKEND invalid: the first import will say so.
    }
    return;
  }
  const cargo = spawnSync("cargo", ["--version"], { encoding: "utf8" });
  if (cargo.error || cargo.status !== 0) {
    log("Rust (cargo) was not found, so the native addon is not built; every kernel runs on the TypeScript reference.");
    return;
  }
  const napiCli = path.join(root, "node_modules", "@napi-rs", "cli", "dist", "cli.js");
  if (!fs.existsSync(napiCli)) {
    log("@napi-rs/cli is not installed (production install?), so the native addon is not built.");
    return;
  }
  log(`building the native addon with ${cargo.stdout.trim()} (release, LTO); this takes a minute or two the first time.`);
  const build = spawnSync(
    process.execPath,
    [napiCli, "build", "--platform", "--release", "--manifest-path", "crates/node/Cargo.toml", "--package", "fastkernels-node",
      "--output-dir", ".", "--js", "index.js", "--dts", "index.d.ts"],
    { cwd: root, stdio: "inherit" },
  );
  if (build.status !== 0) {
    log("the native build failed (see above); fastkernels still works on the TypeScript reference.");
    process.exitCode = process.env.CI ? 1 : 0;
  }
}

main();
