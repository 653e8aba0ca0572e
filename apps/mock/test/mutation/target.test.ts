// The rule on which callback URLs the mock may call. (Signing is @kling-multi-image/webhooks',
// tested there against the Standard Webhooks test vector; the dispatcher's signed deliveries are
// checked against node:crypto in dispatcher.test.ts.)
import { describe, expect, it } from "vitest";
import { checkCallbackTarget } from "../../src/core/callbacks/target.js";

describe("checkCallbackTarget", () => {
  const notAllowed = (host: string) =>
    `callback_url host ${host} is not allowed: the mock only calls loopback addresses (127.0.0.0/8, ::1, localhost) unless the host is allowlisted`;

  it.each([
    "http://127.0.0.1/",
    "https://127.0.0.1/",
    "http://127.255.249.199/",
    "http://127.200.100.10/",
    "http://127.10.20.30/",
    "http://127.1.99.5/",
    "http://127.0.0.9/",
    "http://127.0.0.249/",
    "http://127.0.0.255/",
    "http://127.0.0.100/",
    "http://0x7f.1/",
    "http://localhost/",
    "http://LocalHost:8080/x",
    "http://[::1]/",
    "http://[0::1]/",
    "http://[::ffff:127.1.2.3]/",
    "http://[::ffff:7fff:ffff]/",
  ])("allows loopback %s", (url) => {
    expect(checkCallbackTarget(url, [])).toBeUndefined();
  });

  it.each([
    ["http://128.0.0.1/", "128.0.0.1"],
    ["http://10.127.0.1/", "10.127.0.1"],
    ["http://255.255.255.255/", "255.255.255.255"],
    ["http://127.0.0.1.nip.io/", "127.0.0.1.nip.io"],
    ["http://localhost.test/", "localhost.test"],
    ["http://[::2]/", "::2"],
    ["http://[1::1]/", "1::1"],
    ["http://[::ffff:7e00:1]/", "::ffff:7e00:1"],
    ["http://[::ffff:7f0:1]/", "::ffff:7f0:1"],
    ["http://[1::ffff:7f00:1]/", "1::ffff:7f00:1"],
    ["http://EXAMPLE.com/", "example.com"],
  ])("refuses %s, naming the host", (url, host) => {
    expect(checkCallbackTarget(url, [])).toBe(notAllowed(host));
  });

  it("refuses what is not an http(s) URL, or carries credentials", () => {
    expect(checkCallbackTarget("nope", [])).toBe("callback_url is not a valid URL");
    expect(checkCallbackTarget("ws://127.0.0.1/", [])).toBe("callback_url must be an http(s) URL");
    expect(checkCallbackTarget("file:///etc/passwd", [])).toBe(
      "callback_url must be an http(s) URL",
    );
    expect(checkCallbackTarget("http://u@127.0.0.1/", [])).toBe(
      "callback_url must not carry credentials",
    );
    expect(checkCallbackTarget("http://:p@127.0.0.1/", [])).toBe(
      "callback_url must not carry credentials",
    );
  });

  it("allows an allowlisted host by name, in any case, and nothing else", () => {
    expect(checkCallbackTarget("https://Hooks.Example.test/x", ["HOOKS.example.TEST"])).toBe(
      undefined,
    );
    expect(checkCallbackTarget("https://10.0.0.5/x", ["10.0.0.5"])).toBeUndefined();
    expect(checkCallbackTarget("https://[fd00::5]/x", ["fd00::5"])).toBeUndefined();
    expect(checkCallbackTarget("https://other.example.test/x", ["hooks.example.test"])).toBe(
      notAllowed("other.example.test"),
    );
    expect(checkCallbackTarget("https://hooks.example.test/x", [])).toBe(
      notAllowed("hooks.example.test"),
    );
  });
});
