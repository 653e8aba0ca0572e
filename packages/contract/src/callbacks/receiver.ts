/** A local HTTP receiver for callbacks, on 127.0.0.1 and an ephemeral port. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One delivery as received. */
export interface Delivery {
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body: string;
  receivedAt: number;
}

/** A running receiver. */
export interface Receiver {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  deliveries: Delivery[];
  close(): Promise<void>;
}

/** Starts a receiver that records every POST and answers 200. */
export async function startReceiver(port = 0): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers))
        headers[k] = Array.isArray(v) ? v.join(", ") : v;
      deliveries.push({
        path: req.url ?? "/",
        headers,
        body: Buffer.concat(chunks).toString("utf8"),
        receivedAt: Date.now(),
      });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
