// getTask (openapi-fetch + retry loop with a per-attempt timeout + normalisation) against a raw
// fetch + JSON parse of the same URL, on one local node:http server, in the same run. Target:
// getTask at most 1.2x raw.
//
// Why not `vitest bench`: it runs one case after the other, so on a shared machine a busy spell
// lands on one side only. Here the cases take turns in short blocks, in a new random order each
// round, and the ratio is taken inside each round (both sides saw the same load), then the
// median of those ratios is reported.
//
// `node bench/get-task.mjs` runs on this Node; `--also=22,24` runs it again under each version
// (fetched with `npx node@N`) and prints one table.
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import createClient from "openapi-fetch";
import { createKlingClient } from "../dist/index.js";

const ROUNDS = 60;
const BLOCK = 200;
const TARGET = 1.2;

const also = process.argv.find((a) => a.startsWith("--also="))?.slice(7);
if (also) {
  const rows = [];
  const commands = [[process.execPath], ...also.split(",").map((v) => ["npx", "-y", `node@${v}`])];
  for (const [command, ...args] of commands) {
    const run = spawnSync(command, [...args, import.meta.filename, "--json"], {
      encoding: "utf8",
      env: { ...process.env, npm_config_update_notifier: "false" },
    });
    if (run.status !== 0)
      throw new Error(`bench under ${args.at(-1) ?? "this node"} failed:\n${run.stderr}`);
    rows.push(JSON.parse(run.stdout));
  }
  print(rows);
  process.exit(0);
}

const TASK_ID = "831922345719271496";
const payload = JSON.stringify({
  code: "success",
  message: "",
  data: {
    task_id: TASK_ID,
    status: "SUCCESS",
    progress: "100%",
    submit_time: 1764021600,
    start_time: 1764021601,
    finish_time: 1764021700,
    fail_reason: "",
    data: {
      code: 0,
      message: "SUCCEED",
      request_id: "req-1",
      data: {
        task_id: TASK_ID,
        task_status: "succeed",
        task_status_msg: "",
        created_at: 1764021600000,
        updated_at: 1764021700000,
        task_info: { external_task_id: "ext-1" },
        task_result: {
          videos: [{ id: "v-1", url: "https://cdn.example.com/v-1.mp4", duration: "5.1" }],
        },
      },
    },
  },
});

const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(payload);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${server.address().port}`;
const url = `${baseUrl}/kling/v1/videos/multi-image2video/${TASK_ID}`;
const headers = { Authorization: "Bearer sk-bench" };
const plain = createClient({ baseUrl, headers });
const kling = createKlingClient({ apiKey: "sk-bench", baseUrl });

const cases = {
  "raw fetch + res.json()": async () => {
    const res = await fetch(url, { headers });
    await res.json();
  },
  // what careful raw code adds: a timeout, so a hung server cannot hang the caller
  "raw fetch + AbortSignal.timeout": async () => {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(60_000) });
    await res.json();
  },
  "openapi-fetch GET alone": () =>
    plain.GET("/kling/v1/videos/multi-image2video/{task_id}", {
      params: { path: { task_id: TASK_ID } },
    }),
  "kling.getTask()": () => kling.getTask(TASK_ID),
};
const names = Object.keys(cases);
const times = Object.fromEntries(names.map((n) => [n, []]));
const ratios = Object.fromEntries(names.map((n) => [n, []]));

for (const run of Object.values(cases)) for (let i = 0; i < 300; i++) await run();
for (let round = 0; round < ROUNDS; round++) {
  const perCall = {};
  for (const name of [...names].sort(() => Math.random() - 0.5)) {
    const run = cases[name];
    const start = process.hrtime.bigint();
    for (let i = 0; i < BLOCK; i++) await run();
    perCall[name] = Number(process.hrtime.bigint() - start) / BLOCK / 1000;
  }
  for (const name of names) {
    times[name].push(perCall[name]);
    ratios[name].push(perCall[name] / perCall[names[0]]);
  }
}
server.closeAllConnections();
server.close();

const median = (values) => values.sort((a, b) => a - b)[values.length >> 1];
const row = {
  node: process.versions.node,
  cases: names.map((name) => ({
    name,
    us: median(times[name]),
    ratio: median(ratios[name]),
  })),
};
if (process.argv.includes("--json")) console.log(JSON.stringify(row));
else print([row]);

function print(rows) {
  console.log(`GET one task from a local server: median of ${ROUNDS} interleaved rounds`);
  console.log(`${ROUNDS * BLOCK} calls per case; ratio to raw fetch taken within each round\n`);
  const width = Math.max(...rows[0].cases.map((c) => c.name.length));
  for (const { node, cases: measured } of rows) {
    console.log(`Node ${node}`);
    for (const { name, us, ratio } of measured) {
      console.log(`  ${name.padEnd(width)}  ${us.toFixed(1).padStart(7)} µs  ${ratio.toFixed(2)}x`);
    }
    const getTask = measured.at(-1).ratio;
    const verdict = getTask <= TARGET ? "within" : "over";
    console.log(`  getTask is ${getTask.toFixed(2)}x raw: ${verdict} the ${TARGET}x target\n`);
  }
}
