/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__test__"],
  testMatch: ["**/*.test.ts"],
  // tsconfig.json sets isolatedModules, so ts-jest transpiles each file on
  // its own (as its Node16 module support requires) and reports syntax errors;
  // type errors are `npm run typecheck`'s job (tsc over ts/, tests, benches).
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  testTimeout: 60000,
};
