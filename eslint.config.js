// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "packages/proto/src/gen/**", ".testbed/**", "coverage/**", "**/dist/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        URL: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
        fetch: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  // The pure core of each service decides; it does no IO. An allowlist, so that a new import of
  // anything that could (a client, a bus, the clock's owner, a runtime) fails lint by default:
  // core/ imports its own modules, the pure packages and pure data structures (sorted-btree), and
  // its tests their test libraries.
  ...[
    { files: ["services/*/src/core/**/*.ts"], ignores: ["**/*.test.ts"], allowed: "|sorted-btree" },
    { files: ["services/*/src/core/**/*.test.ts"], allowed: "|sorted-btree|@jest/globals|fast-check" },
  ].map(({ allowed, ...files }) => ({
    ...files,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: `^(?!\\.{1,2}/|(@spillway/(api|rules|resources)${allowed})$)`,
              message:
                "core/ is pure: it may import its own modules, @spillway/api, @spillway/rules, @spillway/resources and sorted-btree only (IO belongs in adapters/ or controllers/)",
            },
          ],
        },
      ],
    },
  })),
);
