// One known-answer probe per public kernel, shared by the package check
// (scripts/pack-check.cjs, against the installed tarballs) and the memory and
// worker tests (__test__/workers*.test.ts). Adding a kernel = adding one entry.
//
// Each probe: { name, call(fk, threads) -> result or Promise, check(fk,
// threads) -> Promise<string | null> }: `check` answers null when the result
// is right (on either backend: threads 0 = reference, n = native), or says
// what was wrong. `call` is the cheap call the RSS test repeats 10,000 times.
"use strict";

const probes = [];

module.exports = { probes };
