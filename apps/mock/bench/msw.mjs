// `pnpm bench` (part 2): the MSW handlers' per-request cost in msw/node, for submit and query,
// beside a bare MSW handler that returns a constant, in the same process and run; then the
// handlers' browser bundle size. It prints figures; it is not a test. Needs `pnpm build` first.
//   BENCH_REQUESTS=2000 (per measurement)
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { specExample } from "@kling-multi-image/spec";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { createKlingHandlers } from "../dist/msw/index.js";

const N = Number(process.env.BENCH_REQUESTS ?? 2000);
const CREATE = "/kling/v1/videos/multi-image2video";
const BODY = JSON.stringify(specExample("SeedCurlRequest"));
const AUTH = { authorization: "Bearer bench-key", "content-type": "application/json" };
const kling = createKlingHandlers({ baseUrl: "http://kling.bench", clock: "virtual" });
const constant = { code: 0, message: "SUCCEED", data: { task_id: "constant" } };
const bare = [
  http.post(`http://bare.bench${CREATE}`, () => HttpResponse.json(constant)),
  http.get(`http://bare.bench${CREATE}/:id`, () => HttpResponse.json(constant)),
];
const server = setupServer(...kling.handlers, ...bare);
server.listen({ onUnhandledRequest: "error" });

const submit = async (base) => {
  const res = await fetch(base + CREATE, { method: "POST", headers: AUTH, body: BODY });
  return (await res.json()).data?.task_id;
};
const taskId = await submit("http://kling.bench");
const query = async (base, id) => (await fetch(`${base}${CREATE}/${id}`, { headers: AUTH })).json();

/** Mean µs per request over N sequential requests. */
async function measure(fn) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await fn();
  return ((performance.now() - t0) * 1000) / N;
}

// Warm up both, then interleave rounds so load on the machine hits both alike.
for (let i = 0; i < 200; i++) {
  await submit("http://kling.bench");
  await submit("http://bare.bench");
}
const rounds = { klingPost: [], barePost: [], klingGet: [], bareGet: [] };
for (let r = 0; r < 3; r++) {
  rounds.barePost.push(await measure(() => submit("http://bare.bench")));
  rounds.klingPost.push(await measure(() => submit("http://kling.bench")));
  rounds.bareGet.push(await measure(() => query("http://bare.bench", "constant")));
  rounds.klingGet.push(await measure(() => query("http://kling.bench", taskId)));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (name, k, b) => ({
  request: name,
  "kling handlers µs": Math.round(median(k)),
  "bare MSW handler µs": Math.round(median(b)),
  "added µs": Math.round(median(k) - median(b)),
  ratio: `${(median(k) / median(b)).toFixed(2)}x`,
});
console.log(
  `\nMSW handlers in msw/node, ${N} sequential requests x 3 rounds (median), Node ${process.version}`,
);
console.table([
  row("submit (POST)", rounds.klingPost, rounds.barePost),
  row("query (GET)", rounds.klingGet, rounds.bareGet),
]);
server.close();
await kling.close();
execFileSync(
  process.execPath,
  [fileURLToPath(new URL("../scripts/msw-size.mjs", import.meta.url))],
  {
    stdio: "inherit",
  },
);
