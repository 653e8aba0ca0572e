import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the test server received. */
export interface Hit {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** Handles one request; `n` counts requests from 0. */
export type Handler = (hit: Hit, res: ServerResponse, n: number, req: IncomingMessage) => void;

/** A real node:http server on 127.0.0.1 with an ephemeral port. */
export interface TestServer {
  url: string;
  hits: Hit[];
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const hit: Hit = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      hits.push(hit);
      handler(hit, res, hits.length - 1, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** A port on 127.0.0.1 with nothing listening (connection refused). */
export async function closedPortUrl(): Promise<string> {
  const s = await startServer(() => {});
  await s.close();
  return s.url;
}

const TASK_ID = "CjMkb2eFcrsAAAAAAKL4bg";

export { TASK_ID };

type KlingStatus = "submitted" | "processing" | "succeed" | "failed";
const GATEWAY: Record<KlingStatus, [string, string]> = {
  submitted: ["SUBMITTED", "10%"],
  processing: ["IN_PROGRESS", "30%"],
  succeed: ["SUCCESS", "100%"],
  failed: ["FAILURE", "100%"],
};
export const VIDEO_URL = `https://cdn.klingai.com/bs2/upload-kling-api/video/${TASK_ID}.mp4`;

/** A query response as the gateway sends it, for each Kling status (or NOT_START with no data). */
export function queryBody(status: KlingStatus | "NOT_START", taskId = TASK_ID): unknown {
  if (status === "NOT_START") {
    return {
      code: "success",
      message: "",
      data: {
        task_id: taskId,
        action: "multiImage2Video",
        status: "NOT_START",
        progress: "0%",
        fail_reason: "",
        submit_time: 1764021600,
        start_time: 0,
        finish_time: 0,
        data: null,
      },
    };
  }
  const [gatewayStatus, progress] = GATEWAY[status];
  return {
    code: "success",
    message: "",
    data: {
      task_id: taskId,
      action: "multiImage2Video",
      status: gatewayStatus,
      progress,
      fail_reason: status === "succeed" ? VIDEO_URL : status === "failed" ? "content policy" : "",
      submit_time: 1764021600,
      start_time: status === "submitted" ? 0 : 1764021605,
      finish_time: status === "succeed" || status === "failed" ? 1764021780 : 0,
      data: {
        code: 0,
        message: "SUCCEED",
        request_id: "req-1",
        data: {
          task_id: taskId,
          task_status: status,
          task_status_msg: status === "failed" ? "content policy" : "",
          task_info: { external_task_id: "ext-1" },
          created_at: 1764021600000,
          updated_at: 1764021780000,
          ...(status === "succeed"
            ? { task_result: { videos: [{ id: "v1", url: VIDEO_URL, duration: "5.1" }] } }
            : {}),
        },
      },
    },
  };
}

export const documentedCreate = {
  code: 0,
  message: "SUCCEED",
  request_id: "req-0",
  data: { task_id: TASK_ID, task_status: "submitted", created_at: 1764021600000 },
};
export const observedCreate = {
  id: TASK_ID,
  task_id: TASK_ID,
  object: "video",
  model: "kling-v1-6",
  status: "",
  progress: 0,
  created_at: 1764021600,
};
