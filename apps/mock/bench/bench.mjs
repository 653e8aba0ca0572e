// `pnpm bench`: this mock against a stock `prism mock spec/openapi.yaml` (prism-cli 5.14.2), side by
// side in one run on 127.0.0.1: GET and POST throughput and p99 at 20 connections, time to ready,
// and RSS with 100,000 stored tasks. It prints figures; it is not a test. Needs `pnpm build` first.
//   BENCH_SECONDS=5 (per autocannon run)   BENCH_CONNECTIONS=20
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { specExample, specPath } from "@kling-multi-image/spec";
import { freePort } from "@kling-multi-image/test-support";
import autocannon from "autocannon";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const CLI = here("../dist/cli.js");
const PRISM = here("../node_modules/@stoplight/prism-cli/dist/index.js");
const CREATE = "/kling/v1/videos/multi-image2video";
const AUTH = { authorization: "Bearer bench-key", "content-type": "application/json" };
const BODY = JSON.stringify(specExample("SeedCurlRequest"));

/** Spawns a server and resolves once `probe` answers, with the time that took. */
async function startChild(name, args, url, probe) {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NODE_ENV: "development" },
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr}`);
    try {
      const res = await fetch(url + probe, { headers: AUTH });
      await res.arrayBuffer();
      if (res.status < 500) break;
    } catch {}
    if (performance.now() - t0 > 30_000) throw new Error(`${name} not ready after 30 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, readyMs: performance.now() - t0 };
}

function run(url, opts) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: SECONDS, ...opts }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

const summary = (r) => ({
  reqPerSec: Math.round(r.requests.average),
  p99ms: r.latency.p99,
  non2xx: r.non2xx,
  errors: r.errors + r.timeouts,
});

async function measureTarget(name, args, url, getPath) {
  const { child, readyMs } = await startChild(name, args, url, getPath);
  try {
    const get = summary(await run(url + getPath, { headers: AUTH }));
    const post = summary(await run(url + CREATE, { method: "POST", headers: AUTH, body: BODY }));
    return { name, readyMs: Math.round(readyMs), get, post };
  } finally {
    child.kill("SIGTERM");
  }
}

/** RSS of a fresh process after storing 100,000 tasks through the simulator (no HTTP: it measures storage). */
function rssWith100k() {
  const script = `
    import { createMockServer } from ${JSON.stringify(here("../dist/index.js"))};
    const mock = await createMockServer({ clock: "virtual", log: false });
    const body = ${BODY};
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 100000; i++) await mock.simulator.create("key-" + (i % 100), { ...body, external_task_id: "e" + i }, {});
    globalThis.gc?.();
    const after = process.memoryUsage();
    console.log(JSON.stringify({ tasks: await mock.simulator.store.size(), rssMB: after.rss / 2 ** 20, heapMB: after.heapUsed / 2 ** 20, baseRssMB: before / 2 ** 20 }));
    await mock.close();
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`rss child exited ${code}`)),
    );
  });
}

const mockPort = await freePort();
const prismPort = await freePort();
const mockUrl = `http://127.0.0.1:${mockPort}`;
const prismUrl = `http://127.0.0.1:${prismPort}`;

// A real task for the mock's GET, so both servers answer 200.
const mockArgs = [CLI, "--port", String(mockPort), "--quiet"];
let taskId;
{
  const { child } = await startChild("mock", mockArgs, mockUrl, "/__mock/health");
  child.kill("SIGTERM");
}
console.log(
  `kling-mock bench: ${CONNECTIONS} connections, ${SECONDS} s per run, 127.0.0.1, Node ${process.version}\n`,
);

const mine = await (async () => {
  const { child, readyMs } = await startChild("mock", mockArgs, mockUrl, "/__mock/health");
  try {
    const res = await fetch(mockUrl + CREATE, { method: "POST", headers: AUTH, body: BODY });
    taskId = (await res.json()).data.task_id;
    const get = summary(await run(`${mockUrl}${CREATE}/${taskId}`, { headers: AUTH }));
    const post = summary(
      await run(mockUrl + CREATE, { method: "POST", headers: AUTH, body: BODY }),
    );
    return { name: "kling-mock (full Prism validation)", readyMs: Math.round(readyMs), get, post };
  } finally {
    child.kill("SIGTERM");
  }
})();
const stockArgs = [PRISM, "mock", specPath, "-p", String(prismPort), "-h", "127.0.0.1"];
const stockGet = `${CREATE}/CjMkb2eFcrsAAAAAAKL4bg`;
const stock = await measureTarget("stock prism mock 5.14.2", stockArgs, prismUrl, stockGet);
// Prism's fastest setting: --multiprocess moves its logging to a second process.
const multi = await measureTarget(
  "stock prism mock --multiprocess",
  [...stockArgs, "--multiprocess"],
  prismUrl,
  stockGet,
);
const rss = await rssWith100k();

const rows = [mine, stock, multi].map((t) => ({
  target: t.name,
  "ready ms": t.readyMs,
  "GET req/s": t.get.reqPerSec,
  "GET p99 ms": t.get.p99ms,
  "POST req/s": t.post.reqPerSec,
  "POST p99 ms": t.post.p99ms,
  "non-2xx": t.get.non2xx + t.post.non2xx,
  errors: t.get.errors + t.post.errors,
}));
console.table(rows);
const ratio = (a, b) => (b > 0 ? (a / b).toFixed(2) : "n/a");
for (const [label, other, target] of [
  ["stock defaults", stock, 5],
  ["stock --multiprocess", multi, 3],
]) {
  console.log(
    `throughput ratio vs ${label}: GET ${ratio(mine.get.reqPerSec, other.get.reqPerSec)}x, ` +
      `POST ${ratio(mine.post.reqPerSec, other.post.reqPerSec)}x (target >= ${target}x)`,
  );
}
console.log(
  `p99 at ${CONNECTIONS} connections: GET ${mine.get.p99ms} ms, POST ${mine.post.p99ms} ms (target < 15 ms)`,
);
console.log(
  `RSS with ${rss.tasks} stored tasks: ${rss.rssMB.toFixed(0)} MB (heap ${rss.heapMB.toFixed(0)} MB; ${rss.baseRssMB.toFixed(0)} MB before) (target < 250 MB)`,
);
console.log(
  `time to ready: mock ${mine.readyMs} ms, stock prism ${stock.readyMs} ms, --multiprocess ${multi.readyMs} ms (target < 1500 ms)`,
);
