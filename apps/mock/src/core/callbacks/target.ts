/**
 * Decides whether the mock may call a callback URL. A mock must not become a way to make requests
 * anywhere, so only loopback targets are allowed unless a host is allowlisted by name. Host names
 * are never resolved: "localhost" is the only name taken as loopback, so DNS cannot be used to
 * point an allowed-looking name somewhere else.
 */
export function checkCallbackTarget(
  url: string,
  allowedHosts: readonly string[],
): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "callback_url is not a valid URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return "callback_url must be an http(s) URL";
  }
  if (parsed.username || parsed.password) return "callback_url must not carry credentials";
  const host = parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (isLoopback(host)) return undefined;
  if (allowedHosts.some((allowed) => allowed.toLowerCase() === host)) return undefined;
  return `callback_url host ${host} is not allowed: the mock only calls loopback addresses (127.0.0.0/8, ::1, localhost) unless the host is allowlisted`;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  // WHATWG URL parsing has already normalised the host: IPv4 to dotted decimal, IPv6 compressed
  // and lower case, so exact forms suffice and no resolver is involved.
  if (IPV4.test(host)) return host.split(".")[0] === "127";
  // URL parsing normalises IPv4-mapped addresses to hex: ::ffff:127.0.0.1 becomes ::ffff:7f00:1.
  if (host.includes(":")) return host === "::1" || /^::ffff:(?:127\.|7f[0-9a-f]{2}:)/.test(host);
  return false;
}
