// How the client's calls travel, each over real HTTP on 127.0.0.1: redirects, the API key, failures
// before anything was sent (TLS, DNS), and answers whose body fails after the headers.
import { createServer as createHttpServer } from "node:http";
import { createServer as createTlsServer, type TlsOptions } from "node:tls";
import { json, listen, startServer, type TestServer } from "@kling-multi-image/test-support";
import { afterEach, describe, expect, it } from "vitest";
import {
  ConnectionError,
  createKlingClient,
  type FetchLike,
  KlingApiError,
  type KlingClientOptions,
  SubmitOutcomeUnknownError,
  TimeoutError,
} from "../src/index.js";
import { body, documentedCreate, queryBody, TASK_ID } from "./helpers/fixtures.js";

const CREATE = "/kling/v1/videos/multi-image2video";

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const server of open.splice(0)) await server.close();
});

async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const started = await startServer(...args);
  open.push(started);
  return started;
}

function client(baseUrl: string, options: Partial<KlingClientOptions> = {}) {
  return createKlingClient({ apiKey: "sk-test", baseUrl, ...options });
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );

/** A server that answers every request with a redirect to `location`. */
function redirecting(status: number, location: string | ((hit: { url: string }) => string)) {
  return server((hit, res) => {
    res.writeHead(status, {
      location: typeof location === "string" ? location : location(hit),
      "content-type": "text/plain",
    });
    res.end("moved");
  });
}

/** A `fetch` whose answers look like a browser's to `redirect: "manual"`: opaque, status 0. */
const browserFetch: FetchLike = async (input, init) => {
  const response = await fetch(input, init);
  if (response.status < 300 || response.status > 399) return response;
  await response.body?.cancel();
  const opaque = new Response(null, { status: 200 });
  // A Response cannot be built with status 0; these are the fields a browser's carries.
  for (const [key, value] of Object.entries({
    status: 0,
    ok: false,
    type: "opaqueredirect",
    url: "",
    redirected: false,
    headers: new Headers(),
  })) {
    Object.defineProperty(opaque, key, { value });
  }
  return opaque;
};

/** A custom `fetch` that follows redirects whatever it is asked. */
const following: FetchLike = (input, init) => fetch(input, { ...init, redirect: "follow" });

describe("redirects", () => {
  it("a submit answered 307 to another host sends nothing there and says where it pointed", async () => {
    const elsewhere = await server((_hit, res) => json(res, 200, documentedCreate));
    const gateway = await redirecting(307, (hit) => `${elsewhere.url}${hit.url}`);
    const error = await failure(
      client(gateway.url).submit({ ...body, external_task_id: "ext-307" }),
    );
    // Not an unknown outcome: a 307 says "repeat it there", so nothing was created here.
    expect(error).toBeInstanceOf(KlingApiError);
    expect(error).not.toBeInstanceOf(SubmitOutcomeUnknownError);
    expect(error).toMatchObject({
      name: "KlingApiError",
      status: 307,
      message: `Redirected to ${elsewhere.url}${CREATE}: refused`,
    });
    expect((error as KlingApiError).headers?.get("location")).toBe(`${elsewhere.url}${CREATE}`);
    expect(elsewhere.hits).toEqual([]); // neither the key nor the body went there
    expect(gateway.hits).toHaveLength(1); // and it was not retried
  });

  it("a submit answered 301 is not turned into a GET that looks like success", async () => {
    const elsewhere = await server((_hit, res) => json(res, 200, documentedCreate));
    const gateway = await redirecting(301, `${elsewhere.url}/anything`);
    const error = await failure(client(gateway.url).submit(body));
    expect(error).not.toBeInstanceOf(SubmitOutcomeUnknownError);
    expect(error).toMatchObject({ status: 301, message: expect.stringContaining("/anything") });
    expect(elsewhere.hits).toEqual([]);
  });

  it("a submit is not replayed on a same-origin 308 either", async () => {
    const gateway = await server((hit, res) => {
      if (hit.url === "/v2") return json(res, 200, documentedCreate);
      res.writeHead(308, { location: "/v2" });
      res.end();
    });
    const error = await failure(client(gateway.url).submit(body));
    expect(error).toMatchObject({ status: 308, message: "Redirected to /v2: refused" });
    expect(gateway.hits.map((hit) => hit.url)).toEqual([CREATE]);
  });

  it("a submit answered 303 See Other may have been created: outcome unknown", async () => {
    const gateway = await redirecting(303, "/tasks/1");
    const error = await failure(
      client(gateway.url).submit({ ...body, external_task_id: "ext-303" }),
    );
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect(error).toMatchObject({ externalTaskId: "ext-303", status: 303 });
    expect((error as Error).message).toContain("Redirected to /tasks/1: refused");
    expect(gateway.hits).toHaveLength(1);
  });

  it("getTask does not follow a redirect to another host (the key stays home)", async () => {
    const elsewhere = await server((_hit, res) => json(res, 200, queryBody("succeed")));
    const gateway = await redirecting(302, (hit) => `${elsewhere.url}${hit.url}`);
    const error = await failure(client(gateway.url).getTask(TASK_ID));
    expect(error).toMatchObject({
      status: 302,
      message: `Redirected to ${elsewhere.url}${CREATE}/${TASK_ID}: refused`,
    });
    expect(elsewhere.hits).toEqual([]);
    expect(gateway.hits).toHaveLength(1);
  });

  it("getTask does not follow a same-origin redirect either (a browser could not)", async () => {
    const gateway = await server((hit, res) => {
      if (hit.url === "/elsewhere") return json(res, 200, queryBody("succeed"));
      res.writeHead(302, { location: "/elsewhere" });
      res.end();
    });
    const error = await failure(client(gateway.url).getTask(TASK_ID));
    expect(error).toMatchObject({ status: 302, message: "Redirected to /elsewhere: refused" });
    expect(gateway.hits).toHaveLength(1);
  });

  it("a browser's opaque redirect (status 0) is an error too, and an unknown outcome on submit", async () => {
    const gateway = await redirecting(307, "https://other.example/");
    const kling = client(gateway.url, { fetch: browserFetch });
    const read = await failure(kling.getTask(TASK_ID));
    expect(read).toBeInstanceOf(KlingApiError);
    expect(read).toMatchObject({
      status: 0,
      message: "Redirected to an address the browser hides: refused",
    });
    // A browser says neither where nor which redirect: the POST may have been handled (303).
    const submitted = await failure(kling.submit({ ...body, external_task_id: "ext-opaque" }));
    expect(submitted).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect(submitted).toMatchObject({ externalTaskId: "ext-opaque", status: 0 });
  });

  it("a redirect followed anyway (by a custom fetch) is no answer for a submit", async () => {
    const elsewhere = await server((_hit, res) => json(res, 200, documentedCreate));
    const gateway = await redirecting(307, (hit) => `${elsewhere.url}${hit.url}`);
    const kling = client(gateway.url, { fetch: following });
    const error = await failure(kling.submit({ ...body, external_task_id: "ext-followed" }));
    // The body went to the other host, which answered 200: that may be a task, but not ours.
    expect(elsewhere.hits).toHaveLength(1);
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect(error).toMatchObject({ externalTaskId: "ext-followed", status: undefined });
    expect((error as Error).message).toContain(
      `(Redirected to ${elsewhere.url}${CREATE}: refused)`,
    );
  });

  it("getTask takes a followed redirect's answer only from the same origin", async () => {
    const elsewhere = await server((_hit, res) => json(res, 200, queryBody("succeed")));
    const gateway = await server((hit, res) => {
      if (hit.url === "/here") return json(res, 200, queryBody("processing"));
      res.writeHead(302, { location: hit.url.endsWith("/away") ? `${elsewhere.url}/x` : "/here" });
      res.end();
    });
    const kling = client(gateway.url, { fetch: following });
    expect((await kling.getTask("t")).status).toBe("processing");
    const error = await failure(kling.getTask("away"));
    expect(error).toBeInstanceOf(KlingApiError);
    expect(error).toMatchObject({
      status: undefined,
      message: `Redirected to ${elsewhere.url}/x: refused`,
    });
  });

  it("raw calls get the redirect as the answer unless they ask to follow it", async () => {
    const gateway = await server((hit, res) => {
      if (hit.url === "/elsewhere") return json(res, 200, queryBody("succeed"));
      res.writeHead(302, { location: "/elsewhere" });
      res.end();
    });
    const kling = client(gateway.url);
    const path = "/kling/v1/videos/multi-image2video/{task_id}" as const;
    const params = { path: { task_id: TASK_ID } };
    const manual = await kling.raw.GET(path, { params });
    expect(manual.response.status).toBe(302);
    const followed = await kling.raw.GET(path, { params, redirect: "follow" });
    expect(followed.data?.data.status).toBe("SUCCESS");
  });
});

describe("the API key", () => {
  it("a missing key fails at creation, naming apiKey, and nothing is sent", async () => {
    const gateway = await server((_hit, res) => json(res, 200, documentedCreate));
    const unset = process.env.KLING_TEST_SURELY_UNSET_KEY as string;
    expect(unset).toBeUndefined();
    expect(() => createKlingClient({ apiKey: unset, baseUrl: gateway.url })).toThrow(
      new TypeError(
        "apiKey must be a non-blank string (or null to send no key) and headers valid header values",
      ),
    );
    expect(gateway.hits).toEqual([]);
  });

  it.each([
    ["an empty string", ""],
    ["blanks", " \t "],
    ["a number", 42],
  ])("refuses %s", (_what, apiKey) => {
    expect(() => createKlingClient({ apiKey: apiKey as string })).toThrow(TypeError);
    expect(() => createKlingClient({ apiKey: apiKey as string })).toThrow(/^apiKey must be/);
  });

  it("refuses a value fetch would refuse, without echoing it (it may be the key)", () => {
    const attempt = (options: Partial<KlingClientOptions>) => {
      try {
        createKlingClient({ apiKey: "sk-test", ...options });
      } catch (error) {
        return error as Error;
      }
      return undefined;
    };
    const pasted = attempt({ apiKey: "sk-secret-1\nsk-secret-2" });
    expect(pasted).toBeInstanceOf(TypeError);
    expect(pasted?.message).not.toContain("secret");
    expect(attempt({ headers: { "X-Trace": "a\u20acb" } })).toBeInstanceOf(TypeError);
    expect(attempt({ headers: { "X-Trace": "fine" } })).toBeUndefined();
  });

  it("sends the key as a Bearer token, over any Authorization in headers", async () => {
    const gateway = await server((_hit, res) => json(res, 200, queryBody("processing")));
    await client(gateway.url, {
      apiKey: "sk-live",
      headers: { Authorization: "Basic nope", "X-Extra": "1" },
    }).getTask(TASK_ID);
    expect(gateway.hits[0]?.headers.authorization).toBe("Bearer sk-live");
    expect(gateway.hits[0]?.headers["x-extra"]).toBe("1");
  });

  it("apiKey: null sends no key of its own, for a proxy that adds it", async () => {
    const proxy = await server((_hit, res) => json(res, 200, documentedCreate));
    await client(proxy.url, { apiKey: null }).submit(body);
    expect(proxy.hits[0]?.headers).not.toHaveProperty("authorization");
    await client(proxy.url, { apiKey: null, headers: { Authorization: "Proxy p-1" } }).submit(body);
    expect(proxy.hits[1]?.headers.authorization).toBe("Proxy p-1");
  });
});

/** A server of `kind` on 127.0.0.1 that counts the connections made to it. */
async function listening(kind: "http" | TlsOptions) {
  const s =
    kind === "http"
      ? createHttpServer((_req, res) => json(res, 200, documentedCreate))
      : createTlsServer(kind, (socket) => socket.end());
  let connections = 0;
  s.on("connection", () => connections++);
  s.on("tlsClientError", () => {});
  const server = await listen(s);
  open.push(server);
  return { port: server.port, connections: () => connections };
}

describe("failures before anything was sent: TLS and DNS", () => {
  it("an https URL to a plain-http server fails the handshake: never sent, so a submit is retried", async () => {
    const plain = await listening("http");
    const error = await failure(
      client(`https://127.0.0.1:${plain.port}`, { maxRetries: 1 }).submit(body),
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).not.toBeInstanceOf(SubmitOutcomeUnknownError);
    expect(error).toMatchObject({
      mayHaveReachedServer: false,
      message: "Connection error (ERR_SSL_WRONG_VERSION_NUMBER)",
    });
    expect(plain.connections()).toBe(2); // tried again, since it provably was not sent
  });

  it.each([
    ["no cipher in common (a server without a certificate)", {}, /_ALERT_HANDSHAKE_FAILURE\)$/],
    [
      "no TLS version in common",
      { minVersion: "TLSv1", maxVersion: "TLSv1.1" } as const,
      /_ALERT_PROTOCOL_VERSION\)$/,
    ],
  ])("a failed handshake, %s, is never sent", async (_what, options, code) => {
    const tls = await listening(options);
    const error = await failure(
      client(`https://127.0.0.1:${tls.port}`, { maxRetries: 1 }).submit(body),
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).not.toBeInstanceOf(SubmitOutcomeUnknownError);
    expect((error as ConnectionError).mayHaveReachedServer).toBe(false);
    expect((error as Error).message).toMatch(code);
    expect(tls.connections()).toBe(2);
  });

  it("a name that cannot resolve (.invalid) is never sent, so a submit is retried", async () => {
    let calls = 0;
    const counting: FetchLike = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const error = await failure(
      client("http://kling-client-test.invalid", { maxRetries: 1, fetch: counting }).submit(body),
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).not.toBeInstanceOf(SubmitOutcomeUnknownError);
    expect((error as ConnectionError).mayHaveReachedServer).toBe(false);
    // ENOTFOUND, or EAI_AGAIN on a machine without a resolver
    expect((error as Error).message).toMatch(/^Connection error \((ENOTFOUND|EAI_AGAIN)\)$/);
    expect(calls).toBe(2);
  });
});

describe("an answer whose body fails after the headers", () => {
  /** Sends the headers and part of the body; `then` ends the exchange. */
  function partly(then: "reset" | "stall") {
    return (res: import("node:http").ServerResponse) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"code":"success",');
      if (then === "reset") setTimeout(() => res.socket?.destroy(), 20);
    };
  }

  it("a GET whose connection is reset mid-body is retried", async () => {
    const gateway = await server((_hit, res, n) =>
      n === 0 ? partly("reset")(res) : json(res, 200, queryBody("succeed")),
    );
    expect((await client(gateway.url).getTask(TASK_ID)).status).toBe("succeed");
    expect(gateway.hits).toHaveLength(2);
  });

  it("a GET whose body never ends is retried after the attempt's timeout", async () => {
    const gateway = await server((_hit, res, n) =>
      n === 0 ? partly("stall")(res) : json(res, 200, queryBody("processing")),
    );
    const started = Date.now();
    const task = await client(gateway.url, { timeoutMs: 300 }).getTask(TASK_ID);
    expect(task.status).toBe("processing");
    expect(gateway.hits).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it("counts those attempts with the others: maxRetries + 1 in all, then the error", async () => {
    // a 503, then a body reset: two attempts, and maxRetries 1 allows no third
    const gateway = await server((_hit, res, n) =>
      n === 0
        ? json(res, 503, { code: "x", message: "busy", data: null }, { "retry-after-ms": "1" })
        : partly("reset")(res),
    );
    const error = await failure(client(gateway.url, { maxRetries: 1 }).getTask(TASK_ID));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect(gateway.hits).toHaveLength(2);

    const stalled = await server((_hit, res) => partly("stall")(res));
    const timedOut = await failure(
      client(stalled.url, { maxRetries: 2, timeoutMs: 100 }).getTask(TASK_ID),
    );
    expect(timedOut).toBeInstanceOf(TimeoutError);
    expect((timedOut as Error).message).toBe("Request timed out after 100 ms");
    expect(stalled.hits).toHaveLength(3);
  });

  it("a submit whose answer is cut off is not retried: the task may exist", async () => {
    const gateway = await server((_hit, res) => partly("reset")(res));
    const error = await failure(
      client(gateway.url, { maxRetries: 3 }).submit({ ...body, external_task_id: "ext-cut" }),
    );
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect(error).toMatchObject({ externalTaskId: "ext-cut" });
    expect(gateway.hits).toHaveLength(1);
  });

  it("an abort during the wait before the new attempt rejects with the signal's reason", async () => {
    const gateway = await server((_hit, res) => partly("reset")(res));
    const controller = new AbortController();
    const reason = new Error("user left");
    const pending = failure(client(gateway.url).getTask(TASK_ID, { signal: controller.signal }));
    await expect.poll(() => gateway.hits.length).toBe(1);
    // the reset comes 20 ms after the headers, then 0.5 s of backoff
    setTimeout(() => controller.abort(reason), 200);
    expect(await pending).toBe(reason);
    expect(gateway.hits).toHaveLength(1);
  });
});
