/** What the repository's tests share (a private workspace package, never published). */

export { type RoundRobinProxy, startRoundRobinProxy } from "./proxy.js";
export { type RedisServer, startRedis } from "./redis.js";
