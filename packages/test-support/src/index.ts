/** What the repository's tests share (a private workspace package, never published). */

export { specExamples } from "./examples.js";
export {
  closedPortUrl,
  freePort,
  type Handler,
  type Hit,
  json,
  type Listening,
  listen,
  startServer,
  type TestServer,
} from "./http-server.js";
export { png, type Rgb } from "./png.js";
export { type RoundRobinProxy, startRoundRobinProxy } from "./proxy.js";
export {
  type Answerer,
  type CallbackReceiver,
  type ReceiverAnswer,
  startReceiver,
} from "./receiver.js";
export { type RedisServer, startRedis } from "./redis.js";
export { type StaticServer, serveStatic } from "./static-server.js";
export { STANDARD_WEBHOOKS_VECTOR } from "./webhook-vector.js";
