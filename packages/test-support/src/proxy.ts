/**
 * A small round-robin HTTP proxy on loopback, as a load balancer in front of mock replicas: each
 * request goes to the next target in turn, body and headers as they came.
 */
import { Agent, createServer, request } from "node:http";
import { listen } from "./http-server.js";

/** A running proxy. */
export interface RoundRobinProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** How many requests went to each target, in the order given. */
  readonly counts: number[];
  close(): Promise<void>;
}

/** Starts a proxy over `targets` (base URLs). A target that is down answers 502. */
export async function startRoundRobinProxy(targets: readonly string[]): Promise<RoundRobinProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const counts = targets.map(() => 0);
  let next = 0;
  const server = createServer((req, res) => {
    const index = next++ % targets.length;
    counts[index] = (counts[index] ?? 0) + 1;
    const target = new URL(targets[index] as string);
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  const listening = await listen(server);
  return {
    url: listening.url,
    counts,
    close: () => {
      agent.destroy();
      return listening.close();
    },
  };
}
