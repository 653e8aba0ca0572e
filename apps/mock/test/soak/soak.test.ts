// The soak: the built mock in a child process under `ulimit -n 512`, on real time, for a bounded
// run (SOAK_SECONDS, default 20, at most 60), loopback only. Concurrent submits name receivers
// that hang, fail, redirect or answer; fuzzed bad requests and queries run beside them. It prints
// requests served, deliveries made, peak RSS and descriptors, and fails on a crash, an unplanned
// 5xx or an answer off the spec.
import { readdirSync, readFileSync } from "node:fs";
import {
  type CallbackReceiver,
  type ReceiverAnswer,
  startReceiver,
} from "@kling-multi-image/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../src/core/simulator/random.js";
import { type ChildMock, startChildMock } from "../support/child.js";
import { plan } from "../support/fuzz-gen.js";
import { CREATE, seedBody } from "../support/harness.js";
import { checkFetched } from "../support/oracle.js";

const SECONDS = Math.min(60, Number(process.env.SOAK_SECONDS ?? 20));
const FD_LIMIT = 512;
const WORKERS = 12;

let mock: ChildMock | undefined;
const KINDS = {
  ok: "ok",
  fail: 500,
  hang: "hold", // holds the socket until the mock's attempt times out
  redirect: { status: 307, headers: { location: "http://10.255.255.1/elsewhere" } }, // never followed
} as const satisfies Record<string, ReceiverAnswer>;
type Kind = keyof typeof KINDS;
const receivers: Partial<Record<Kind, CallbackReceiver>> = {};
afterAll(async () => {
  await mock?.stop();
  for (const r of Object.values(receivers)) await r.close();
});

/** Delivery attempts that reached each kind of receiver. */
const received = () =>
  Object.fromEntries(Object.entries(receivers).map(([kind, r]) => [kind, r.received.length]));

/** A callback receiver with a behaviour; resolves to its URL. */
async function receiver(kind: Kind): Promise<string> {
  const hook = await startReceiver(() => KINDS[kind]);
  receivers[kind] = hook;
  return hook.url;
}

function processFigures(pid: number): { rssMB: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssMB: rssKB / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

describe("soak", () => {
  it(
    `runs ${SECONDS} s of mixed load under ulimit -n ${FD_LIMIT}: no crash, no unplanned 5xx, all on the spec`,
    async () => {
      const targets = await Promise.all(
        (Object.keys(KINDS) as Kind[]).map(async (k) => [k, await receiver(k)] as const),
      );
      mock = await startChildMock(
        {
          timing: "fast", // options cross a process boundary as JSON: a name, not a profile
          callbackMaxAttempts: 2,
          webhookSecret: `whsec_${Buffer.from("soak-secret-0123456789abcdef").toString("base64")}`,
          concurrencyLimit: 200,
        },
        FD_LIMIT,
      );
      const pid = mock.child.pid as number;
      const url = mock.url;
      const random = seededRandom(Number(process.env.SOAK_SEED ?? 7));
      const rng = () => random.next();
      const known: string[] = ["nope"];
      const statuses = new Map<number, number>();
      const problems: string[] = [];
      let requests = 0;
      let peak = { rssMB: 0, fds: 0 };
      const deadline = performance.now() + SECONDS * 1000;

      const sample = setInterval(() => {
        try {
          const now = processFigures(pid);
          peak = { rssMB: Math.max(peak.rssMB, now.rssMB), fds: Math.max(peak.fds, now.fds) };
        } catch {}
      }, 200);

      const one = async () => {
        const roll = rng();
        let method = "GET";
        let path = "/__mock/health";
        let headers: Record<string, string> = {};
        let body: string | undefined;
        let planned5xx = false;
        if (roll < 0.4) {
          const [, target] = targets[
            Math.floor(rng() * targets.length)
          ] as (typeof targets)[number];
          method = "POST";
          path = CREATE;
          headers = {
            authorization: `Bearer soak-${Math.floor(rng() * 20)}`,
            "content-type": "application/json",
          };
          body = JSON.stringify({ ...seedBody, callback_url: target });
        } else if (roll < 0.55) {
          path = `${CREATE}/${known[Math.floor(rng() * known.length)]}`;
          headers = { authorization: "Bearer soak-1" };
        } else {
          const p = plan(rng, known);
          ({ method, path, headers } = p);
          body = p.body;
          planned5xx = /server-error|maintenance/.test(p.headers["x-mock-scenario"] ?? "");
        }
        let res: Response;
        try {
          res = await fetch(url + path, {
            method,
            headers,
            ...(body === undefined ? {} : { body }),
            signal: AbortSignal.timeout(10_000),
          });
        } catch (error) {
          // The disconnect scenario drops answers on purpose; anything else is a failure.
          if (!/disconnect/.test(headers["x-mock-scenario"] ?? ""))
            problems.push(`${method} ${path}: ${String(error)}`);
          return;
        }
        requests++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const text = await res.text();
        if (res.status >= 500 && !planned5xx)
          problems.push(`${method} ${path}: unplanned ${res.status} ${text.slice(0, 200)}`);
        if (!path.startsWith("/__mock") && method !== "HEAD") {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            problems.push(`${method} ${path} -> ${res.status}: not JSON: ${text.slice(0, 100)}`);
            return;
          }
          const off = await checkFetched(method, path, res, parsed);
          if (off.length > 0)
            problems.push(`${method} ${path} -> ${res.status} off the spec: ${off.join(", ")}`);
          const id = (parsed as { data?: { task_id?: string } } | undefined)?.data?.task_id;
          if (method === "POST" && res.status === 200 && id && known.length < 500) known.push(id);
        }
      };
      await Promise.all(
        Array.from({ length: WORKERS }, async () => {
          while (performance.now() < deadline && problems.length < 20) await one();
        }),
      );
      clearInterval(sample);
      const alive = mock.child.exitCode === null;
      const health = await fetch(`${url}/__mock/health`)
        .then((r) => r.status)
        .catch(() => 0);
      const log = (await (await fetch(`${url}/__mock/callbacks`)).json()) as {
        deliveries: { outcome: string }[];
      };
      const outcomes: Record<string, number> = {};
      for (const d of log.deliveries) outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
      console.log(
        `soak: ${SECONDS} s, ${requests} requests served (${Math.round(requests / SECONDS)}/s), statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
          `delivery attempts received ${JSON.stringify(received())}, callback log (last 1,000) ${JSON.stringify(outcomes)}; peak RSS ${peak.rssMB.toFixed(0)} MB, peak descriptors ${peak.fds} of ${FD_LIMIT}`,
      );
      expect(problems).toEqual([]);
      expect(alive).toBe(true);
      expect(health).toBe(200);
      expect(mock.stderr()).not.toMatch(/EMFILE|RESPONSE VIOLATES|internal error/);
      expect(peak.fds).toBeLessThan(FD_LIMIT);
      // The load was real (a sanity floor, well under what a loaded 2-core CI machine serves).
      expect(requests).toBeGreaterThan(SECONDS * 10);
    },
    (SECONDS + 60) * 1000,
  );
});
