// Jest runs the TypeScript sources as ESM (client-node 2.x is ESM-only) through SWC, with
// Node's --experimental-vm-modules (the package scripts pass it).
const transform = {
  "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "es6" } }],
};
const common = {
  extensionsToTreatAsEsm: [".ts"],
  // The testbed's etcd data holds *.snap files that Jest would take for snapshots.
  modulePathIgnorePatterns: ["<rootDir>/.testbed/"],
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/.testbed/"],
  transform,
  testEnvironment: "node",
};

/** @type {import('jest').Config} */
export default {
  // The e2e script raises this with --testTimeout; unit tests keep Jest's 5 s.
  projects: [
    {
      ...common,
      displayName: "unit",
      testMatch: [
        "<rootDir>/packages/*/src/**/*.test.ts",
        "<rootDir>/services/*/src/**/*.test.ts",
        "<rootDir>/testbed/src/**/*.test.ts",
        "<rootDir>/e2e/bench/**/*.test.ts",
      ],
    },
    {
      ...common,
      displayName: "e2e",
      testMatch: ["<rootDir>/e2e/src/**/*.test.ts"],
      globalSetup: "<rootDir>/e2e/src/global-setup.ts",
    },
  ],
};
