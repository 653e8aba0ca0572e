import { defineConfig } from "vite";

// The mock serves the built page at its root, next to the API it calls, so every request is
// same-origin. In `vite dev`, point /kling and /__mock at a running mock instead.
const mock = process.env.KLING_MOCK_URL ?? "http://127.0.0.1:4010";

export default defineConfig({
  build: { outDir: "dist", target: "es2022", sourcemap: true },
  server: {
    host: "127.0.0.1",
    proxy: { "/kling": mock, "/__mock": mock, "/reference": mock },
  },
});
