import { describe, expect, it } from "vitest";
import { checkCallbackTarget } from "../../src/core/callbacks/index.js";

describe("checkCallbackTarget", () => {
  it.each([
    "http://127.0.0.1:9000/hook",
    "http://127.10.20.30/hook",
    "http://localhost:3000/api",
    "https://LOCALHOST/api",
    "http://[::1]:8080/",
    "http://[::ffff:127.0.0.1]/",
    "http://2130706433/", // 127.0.0.1 written as a number
    "http://127.1/",
  ])("allows loopback %s", (url) => {
    expect(checkCallbackTarget(url, [])).toBeUndefined();
  });

  it.each([
    ["http://10.0.0.1/hook", /not allowed/],
    ["http://192.168.1.10/hook", /not allowed/],
    ["https://your-callback.com/api", /not allowed/],
    ["http://localhost.example.com/", /not allowed/],
    ["http://[::ffff:10.0.0.1]/", /not allowed/],
    ["http://0.0.0.0/", /not allowed/],
    ["ftp://127.0.0.1/file", /http\(s\)/],
    ["http://user:pw@127.0.0.1/", /credentials/],
    ["not a url", /not a valid URL/],
  ])("refuses %s", (url, message) => {
    expect(checkCallbackTarget(url, [])).toMatch(message);
  });

  it("allows a host named in the allowlist, and only that host", () => {
    expect(
      checkCallbackTarget("https://hooks.example.test/x", ["hooks.example.test"]),
    ).toBeUndefined();
    expect(checkCallbackTarget("https://evil.example.test/x", ["hooks.example.test"])).toMatch(
      /not allowed/,
    );
  });
});
