// A static npm registry on loopback for the package check: serves the
// packuments and tarballs of the packages listed in an index file, so that
// `npm install` resolves every dependency (several versions of one package
// included, nested where npm puts them) without the public registry.
//
//   node scripts/local-registry.cjs <index.json> <port-file>
//
// index.json: [{ "manifest": <package.json>, "tarball": <path> }, ...]. The
// server listens on a free port of 127.0.0.1 and writes it to <port-file>;
// it exits when stdin closes (its parent went away) or on SIGTERM.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");

const semver = require("semver");

const entries = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));

/** name -> version -> { manifest, tarball, integrity } */
const packages = new Map();
for (const { manifest, tarball } of entries) {
  const integrity = `sha512-${crypto.createHash("sha512").update(fs.readFileSync(tarball)).digest("base64")}`;
  if (!packages.has(manifest.name)) packages.set(manifest.name, new Map());
  packages.get(manifest.name).set(manifest.version, { manifest, tarball, integrity });
}

function packument(name, base) {
  const versions = packages.get(name);
  const doc = { name, "dist-tags": {}, versions: {} };
  for (const [version, { manifest, tarball, integrity }] of versions) {
    doc.versions[version] = {
      ...manifest,
      dist: { tarball: `${base}/-/${encodeURIComponent(name)}/${path.basename(tarball)}`, integrity },
    };
  }
  doc["dist-tags"].latest = [...versions.keys()].sort(semver.rcompare)[0];
  return doc;
}

const server = http.createServer((request, response) => {
  const url = decodeURIComponent(request.url.split("?")[0]);
  const base = `http://127.0.0.1:${server.address().port}`;
  const tarballMatch = url.match(/^\/-\/(.+)\/([^/]+\.tgz)$/);
  if (tarballMatch) {
    const versions = packages.get(tarballMatch[1]);
    const hit = versions && [...versions.values()].find((v) => path.basename(v.tarball) === tarballMatch[2]);
    if (hit) {
      response.writeHead(200, { "content-type": "application/octet-stream" });
      fs.createReadStream(hit.tarball).pipe(response);
      return;
    }
  }
  const name = url.slice(1);
  if (packages.has(name)) {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(packument(name, base)));
    return;
  }
  response.writeHead(404, { "content-type": "application/json" });
  response.end(JSON.stringify({ error: `${name} is not in the package check's local registry` }));
});

server.listen(0, "127.0.0.1", () => fs.writeFileSync(process.argv[3], String(server.address().port)));
process.stdin.on("end", () => server.close(() => process.exit(0)));
process.stdin.resume();
