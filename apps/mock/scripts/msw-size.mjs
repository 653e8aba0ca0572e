// The MSW handlers' browser bundle: what an app's page downloads for `createKlingHandlers`
// (msw itself excluded, as the app has it already). Bundled from src with esbuild for the browser,
// minified, with code splitting so the video fixtures stay in the chunk loaded on the first video.
//   node scripts/msw-size.mjs           prints the sizes
//   node scripts/msw-size.mjs --check   also fails when a size is over its budget (run by `lint`)
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/** Budgets in bytes, min+gz. Raise one only with a reason in the commit. */
// 40 -> 46 kB: the gateway-fidelity data (departures with their examples) and the proxy forwarder.
const BUDGET = { entry: 46_000, videos: 70_000 };

const result = await build({
  entryPoints: [new URL("../src/msw/index.ts", import.meta.url).pathname],
  bundle: true,
  minify: true,
  splitting: true,
  format: "esm",
  platform: "browser",
  external: ["msw"],
  outdir: "/virtual-out",
  write: false,
  metafile: true,
  logLevel: "silent",
});

let entry = 0;
let videos = 0;
for (const file of result.outputFiles) {
  const gz = gzipSync(file.contents).length;
  const meta = Object.entries(result.metafile.outputs).find(([path]) =>
    file.path.endsWith(path.replace(/^(\.\.\/)+/, "/")),
  )?.[1];
  const inputs = Object.keys(meta?.inputs ?? {});
  // The dynamically imported video module is the lazy chunk; everything else loads with the entry.
  if (inputs.some((i) => i.includes("video-fixtures"))) videos += gz;
  else entry += gz;
}
console.log(
  `msw handlers, browser, min+gz: entry ${(entry / 1000).toFixed(1)} kB (budget ${BUDGET.entry / 1000} kB), ` +
    `video fixtures chunk ${(videos / 1000).toFixed(1)} kB (budget ${BUDGET.videos / 1000} kB, loaded on the first video)`,
);
if (process.argv.includes("--check") && (entry > BUDGET.entry || videos > BUDGET.videos)) {
  console.error("msw-size: over budget");
  process.exit(1);
}
