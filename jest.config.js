/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__test__"],
  testMatch: ["**/*.test.ts"],
  // tsconfig.jest.json: isolatedModules (ts-jest transpiles each file on its
  // own and reports syntax errors) and CommonJS output, so jest's module
  // registry serves the lazy `import()`s (sharp) as requires. Type errors are
  // `npm run typecheck`'s job (tsc over ts/, tests, benches with node16).
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.jest.json" }],
  },
  testTimeout: 60000,
};
