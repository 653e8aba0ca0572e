// `pnpm bench:store`: the memory store against the Redis store, side by side in one run on
// 127.0.0.1: submit and query throughput and p99 with the memory store, with Redis and one
// replica, and with Redis and two replicas behind a round-robin proxy; then Redis's memory per
// 100,000 tasks. Needs `pnpm build` and a `redis-server` on PATH. It prints figures; not a test.
//   BENCH_SECONDS=4 (per autocannon run)   BENCH_CONNECTIONS=20   BENCH_TASKS=20000
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { specExample } from "@kling-multi-image/spec";
import { freePort, startRedis, startRoundRobinProxy } from "@kling-multi-image/test-support";
import autocannon from "autocannon";
import { Redis } from "ioredis";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const TASKS = Number(process.env.BENCH_TASKS ?? 20_000);
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const CREATE = "/kling/v1/videos/multi-image2video";
const AUTH = { authorization: "Bearer bench-key", "content-type": "application/json" };
const BODY = JSON.stringify(specExample("SeedCurlRequest"));

const children = [];
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

async function startMock(env) {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, "--port", String(port), "--quiet"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  children.push(child);
  await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`mock exited ${code}`)));
    child.stdout.on("data", (d) => {
      if (String(d).includes("listening")) resolve();
    });
  });
  return `http://127.0.0.1:${port}`;
}

function run(url, opts) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: SECONDS, ...opts }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

async function measure(name, base) {
  const created = await fetch(base + CREATE, { method: "POST", headers: AUTH, body: BODY });
  const body = await created.json();
  const id = body.data?.task_id ?? body.task_id;
  const post = await run(base + CREATE, { method: "POST", headers: AUTH, body: BODY });
  const get = await run(`${base}${CREATE}/${id}`, { headers: AUTH });
  const row = {
    setup: name,
    "submit req/s": Math.round(post.requests.average),
    "submit p99 ms": post.latency.p99,
    "query req/s": Math.round(get.requests.average),
    "query p99 ms": get.latency.p99,
    errors: post.non2xx + get.non2xx + post.errors + get.errors,
  };
  console.log(row);
  return row;
}

const rows = [];
const memory = await startMock({});
rows.push(await measure("memory store", memory));

const redisServer = await startRedis();
const redisUrl = redisServer.url;
const one = await startMock({ KLING_MOCK_STORE: redisUrl, KLING_MOCK_STORE_PREFIX: "one:" });
rows.push(await measure("Redis, 1 replica", one));

const a = await startMock({ KLING_MOCK_STORE: redisUrl, KLING_MOCK_STORE_PREFIX: "two:" });
const b = await startMock({ KLING_MOCK_STORE: redisUrl, KLING_MOCK_STORE_PREFIX: "two:" });
const proxy = await startRoundRobinProxy([a, b]);
rows.push(await measure("Redis, 2 replicas + round-robin proxy", proxy.url));
await proxy.close();

// Memory in Redis per 100,000 tasks: used_memory before and after TASKS submits under a prefix.
const client = new Redis(redisUrl);
const used = async () => Number(/used_memory:(\d+)/.exec(await client.info("memory"))?.[1]);
const mem = await startMock({ KLING_MOCK_STORE: redisUrl, KLING_MOCK_STORE_PREFIX: "mem:" });
const before = await used();
await new Promise((resolve, reject) =>
  autocannon(
    {
      url: mem + CREATE,
      method: "POST",
      headers: AUTH,
      body: BODY,
      connections: CONNECTIONS,
      amount: TASKS,
    },
    (err, r) => (err ? reject(err) : resolve(r)),
  ),
);
const stored = await client.zcard("mem:all");
const after = await used();
client.disconnect();

console.table(rows);
const [m, r1, r2] = rows;
console.log(
  `Redis, 1 replica vs memory: submit ${(r1["submit req/s"] / m["submit req/s"]).toFixed(2)}x, query ${(r1["query req/s"] / m["query req/s"]).toFixed(2)}x (target: at least 0.5x)`,
);
console.log(
  `Redis, 2 replicas + proxy vs memory: submit ${(r2["submit req/s"] / m["submit req/s"]).toFixed(2)}x, query ${(r2["query req/s"] / m["query req/s"]).toFixed(2)}x`,
);
console.log(
  `Redis memory: ${((((after - before) / stored) * 100_000) / 1024 / 1024).toFixed(1)} MiB per 100,000 tasks (${stored} tasks stored)`,
);
await redisServer.stop();
process.exit(0);
