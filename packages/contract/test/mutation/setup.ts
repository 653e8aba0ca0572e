// Setup of `pnpm mutation` only (vitest.stryker.config.ts): the spec package's two modules replaced
// by what these tests need of them, so that no mutant's run parses the whole YAML document (auth.ts
// reads its seed example at import) or loads Hyperjump (oracle.ts imports it; the tests pass a
// scripted oracle). Under `pnpm test` the same tests run against the real modules and must pass
// there too: the seed example below is the spec's, and `pointer` is the spec's encoding.
import { vi } from "vitest";

vi.mock("@kling-multi-image/spec", () => {
  const examples: Record<string, unknown> = {
    SeedCurlRequest: {
      model: "kling-v1-6",
      image_list: [
        { image: "https://example.com/image1.jpg" },
        { image: "https://example.com/image2.jpg" },
      ],
      prompt: "Animate the characters",
      duration: "5",
    },
  };
  const unavailable = () => {
    throw new Error("the mutation tests use a literal document (test/mutation/support.ts)");
  };
  return {
    specPath: "/spec/openapi.yaml",
    bundledSpecPath: "/spec/openapi.json",
    loadSpec: unavailable,
    specExample: (name: string) => {
      if (!(name in examples)) throw new Error(`the spec has no example named ${name}`);
      return structuredClone(examples[name]);
    },
  };
});

vi.mock("@kling-multi-image/spec/oracle", () => ({
  specUrl: "file:///spec/openapi.yaml",
  pointer: (segments: readonly (string | number)[]) =>
    segments
      .map((s) => `/${encodeURIComponent(String(s).replaceAll("~", "~0").replaceAll("/", "~1"))}`)
      .join(""),
  checkValue: () => {
    throw new Error("the mutation tests pass a scripted oracle (test/mutation/support.ts)");
  },
}));
