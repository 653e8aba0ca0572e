/**
 * Prism's security validation (`validators/security`): the operation's alternatives are tried in
 * order; within one, every scheme must pass. When none passes, Prism reports one diagnostic, the
 * first failure, tagged with the challenges of all of them.
 */
import type { Diagnostic, EngineRequest } from "../core/engine.js";
import { SEVERITY_ERROR, SEVERITY_WARNING } from "./ajv.js";
import type { CompiledSecurityScheme } from "./types.js";

/** Prism's security diagnostics carry the `WWW-Authenticate` challenges in `tags`. */
export type SecurityDiagnostic = Diagnostic & { tags?: string[] };

type Outcome = SecurityDiagnostic | undefined;

const unauthorised = (challenge: string | undefined): SecurityDiagnostic => ({
  severity: SEVERITY_ERROR,
  message: "Invalid security scheme used",
  code: 401,
  tags: challenge ? [challenge] : [],
});
const when = (condition: unknown, challenge: string | undefined): Outcome =>
  condition ? undefined : unauthorised(challenge);

function headerOf(request: EngineRequest, name: string): unknown {
  const headers = request.headers as Record<string, unknown> | undefined;
  return headers == null ? undefined : headers[name];
}

const bearer = (challenge: string) => (request: EngineRequest) => {
  const authorization = headerOf(request, "authorization");
  return when(authorization != null && /^Bearer\s.+$/.exec(String(authorization)), challenge);
};

const BASIC = 'Basic realm="*"';
const DIGEST = 'Digest realm="*", nonce="abc123"';

function scheme(shouldBe: string, authorization: string, given: boolean, challenge: string) {
  const [authScheme] = authorization.split(" ");
  if ((authScheme as string).toLowerCase() !== shouldBe) return unauthorised(challenge);
  return when(given, undefined);
}

/** Node's lenient `Buffer.from(token, "base64").toString()`, enough to count the colons. */
function base64Text(token: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const bytes: number[] = [];
  let bits = 0;
  let count = 0;
  for (const ch of token) {
    if (ch === "=") break;
    let v = alphabet.indexOf(ch === "-" ? "+" : ch === "_" ? "/" : ch);
    if (v < 0) continue;
    v &= 63;
    bits = (bits << 6) | v;
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes.push((bits >> count) & 0xff);
    }
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

function httpBasic(request: EngineRequest): Outcome {
  const authorization = headerOf(request, "authorization") ?? "";
  if (!authorization) return unauthorised(BASIC);
  const text = authorization as string;
  const token = text.split(" ")[1];
  const given = !!(token && base64Text(token).split(":").length === 2);
  return scheme("basic", text, given, BASIC);
}

function httpDigest(request: EngineRequest): Outcome {
  const authorization = headerOf(request, "authorization") ?? "";
  if (!authorization) return unauthorised(DIGEST);
  const [, ...info] = (authorization as string).split(" ");
  const joined = info.join("");
  const given =
    joined.includes("username=") &&
    joined.includes("realm=") &&
    joined.includes("nonce=") &&
    joined.includes("uri=") &&
    joined.includes("response=") &&
    info.every((param) => /(?:'|")([a-z0-9]*)(?:'|")/.test(param));
  return scheme("digest", authorization as string, given, DIGEST);
}

const escapeRegExp = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

const apiKey: Record<string, (request: EngineRequest, name: string) => Outcome> = {
  cookie: (request, name) => {
    const cookie = headerOf(request, "cookie");
    return when(
      cookie != null && new RegExp(`${escapeRegExp(name)}=.+`).test(String(cookie)),
      undefined,
    );
  },
  header: (request, name) => when(!!headerOf(request, name.toLowerCase()), undefined),
  query: (request, name) => when(request.url?.query?.[name], undefined),
};

const none = (request: EngineRequest): Outcome =>
  when(headerOf(request, "authorization") == null, "None");

type Handler = (request: EngineRequest, name: string) => Outcome;

function handlerFor(s: CompiledSecurityScheme): Handler | SecurityDiagnostic {
  let handler: Handler | undefined;
  let label: string;
  if (s.type === "http") {
    label = `http/${s.scheme}`;
    const http: Record<string, Handler> = {
      digest: httpDigest,
      basic: httpBasic,
      bearer: bearer("Bearer"),
    };
    handler = s.scheme !== undefined && Object.hasOwn(http, s.scheme) ? http[s.scheme] : undefined;
  } else if (s.type === "apiKey") {
    label = `${s.type}/${s.in}`;
    handler = s.in !== undefined && Object.hasOwn(apiKey, s.in) ? apiKey[s.in] : undefined;
  } else {
    label = s.type;
    const others: Record<string, Handler> = {
      openIdConnect: bearer("OpenID"),
      oauth2: bearer("OAuth2"),
      none,
    };
    handler = Object.hasOwn(others, s.type) ? others[s.type] : undefined;
  }
  return (
    handler ?? {
      message: `We currently do not support this type of security scheme: ${label}`,
      severity: SEVERITY_WARNING,
    }
  );
}

/** Prism's `validateSecurity` for one operation. */
export function validateSecurity(
  security: readonly (readonly CompiledSecurityScheme[])[] | undefined,
  request: EngineRequest,
): SecurityDiagnostic[] {
  if (security === undefined || security.length === 0) return [];
  const failures: SecurityDiagnostic[] = [];
  for (const alternative of security) {
    const errors: SecurityDiagnostic[] = [];
    for (const s of alternative) {
      const handler = handlerFor(s);
      const outcome = typeof handler === "function" ? handler(request, s.name ?? "") : handler;
      if (outcome !== undefined) errors.push(outcome);
    }
    if (alternative.length === 0) {
      const outcome = none(request);
      if (outcome !== undefined) errors.push(outcome);
    }
    if (errors.length === 0) return [];
    failures.push(...errors);
  }
  const [first] = failures as [SecurityDiagnostic];
  return [{ ...first, tags: failures.flatMap((f) => f.tags ?? []) }];
}
