/** Turns a recorded request into a curl command line a developer can paste to reproduce a failure. */
import type { RecordedRequest } from "../http.js";

/** Quotes a value for a POSIX shell: single quotes, with embedded ones closed and escaped. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * The curl line for `request`. Every occurrence of `apiKey` is replaced by `$KLING_API_KEY` inside
 * double quotes, so the line replays as-is once that variable is set, and never prints the secret.
 * (In the body, only keys of 8 characters or more are redacted, so a short test key does not
 * garble the JSON.)
 */
export function toCurl(request: RecordedRequest, apiKey?: string): string {
  const parts = ["curl", "-sS", "-i", "-X", request.method, shellQuote(request.url)];
  for (const [name, value] of Object.entries(request.headers)) {
    const line = `${name}: ${value}`;
    const secret =
      apiKey !== undefined &&
      apiKey !== "" &&
      (name.toLowerCase() === "authorization" || apiKey.length >= 8);
    if (secret && line.includes(apiKey)) {
      // Double quotes so the shell expands the variable; the rest of a header line never needs
      // escaping because only the Authorization header can carry the key.
      const redacted = line
        .split(apiKey)
        .join("$KLING_API_KEY")
        .replace(/(["\\`])/g, "\\$1");
      parts.push("-H", `"${redacted}"`);
    } else {
      parts.push("-H", shellQuote(line));
    }
  }
  if (request.body !== undefined) {
    const body =
      apiKey && apiKey.length >= 8 ? request.body.split(apiKey).join("<redacted>") : request.body;
    parts.push("--data-raw", shellQuote(body));
  }
  return parts.join(" ");
}
