// getTask (openapi-fetch + retry wrapper + normalisation) against a raw fetch + JSON parse of the
// same URL, both hitting one local node:http server in the same run. Target: at most 1.2x raw.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, bench, describe } from "vitest";
import { createKlingClient } from "../src/index.js";
import { queryBody, TASK_ID } from "../test/helpers/server.js";

const payload = JSON.stringify(queryBody("succeed"));
const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(payload);
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const url = `${baseUrl}/kling/v1/videos/multi-image2video/${TASK_ID}`;
const kling = createKlingClient({ apiKey: "sk-bench", baseUrl });

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("GET one task from a local server", () => {
  bench(
    "raw fetch + res.json()",
    async () => {
      const res = await fetch(url, { headers: { Authorization: "Bearer sk-bench" } });
      await res.json();
    },
    { warmupTime: 1000, time: 5000 },
  );

  bench(
    "kling.getTask()",
    async () => {
      await kling.getTask(TASK_ID);
    },
    { warmupTime: 1000, time: 5000 },
  );
});
