/** The human report: a line per check, then each failure with its curl line and replay seed. */
import type { ContractReport, Failure } from "../types.js";
import { toCurl } from "./curl.js";

/**
 * Removes the API key from text. Keys shorter than 8 characters are left alone outside the curl
 * line's Authorization header (which is always redacted): replacing a 1-letter test key everywhere
 * would garble the report without protecting anything.
 */
export function redact(text: string, apiKey?: string): string {
  return apiKey && apiKey.length >= 8 ? text.split(apiKey).join("<redacted>") : text;
}

/** One failure, numbered, with what was wrong, the curl line and how to replay generated input. */
export function formatFailure(failure: Failure, n: number, apiKey?: string): string {
  const seen =
    failure.occurrences && failure.occurrences > 1 ? ` (seen ${failure.occurrences} times)` : "";
  const lines = [`${n}) ${failure.check}: ${failure.message}${seen}`];
  if (failure.response) {
    const type = failure.response.contentType ? ` ${failure.response.contentType}` : "";
    lines.push(`   response: ${failure.response.status}${type} ${failure.response.body}`);
  }
  if (failure.request) lines.push(`   replay:   ${toCurl(failure.request, apiKey)}`);
  if (failure.replay) {
    const { seed, runSeed, path, rule, shrinks } = failure.replay;
    const again = runSeed !== undefined ? `--seed ${runSeed}` : `fast-check seed ${seed}`;
    lines.push(
      `   generated (rule ${rule ?? "?"}), shrunk ${shrinks ?? 0} times to the body above; reproduce with ${again} (fast-check seed ${seed}${path ? `, path "${path}"` : ""})`,
    );
  }
  return redact(lines.join("\n"), apiKey);
}

/** The whole report as text. */
export function formatReport(report: ContractReport, apiKey?: string): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const out = [
    `kling-contract against ${report.baseUrl} (seed ${report.seed}, ${report.generatedCases} generated cases, ${(report.durationMs / 1000).toFixed(1)} s)`,
  ];
  for (const check of report.checks) {
    const mark = check.status === "passed" ? "PASS" : check.status === "failed" ? "FAIL" : "SKIP";
    const detail =
      check.status === "skipped"
        ? check.skipReason
        : check.status === "failed"
          ? `${check.failures.length} failure(s) in ${check.cases} case(s)`
          : `${check.cases} case(s)`;
    out.push(`  ${mark}  ${check.name.padEnd(width)}  ${detail}`);
  }
  if (report.skipped.length > 0) {
    out.push("", "Skipped:");
    for (const s of report.skipped) out.push(`  - ${s}`);
  }
  const failures = report.checks.flatMap((c) => c.failures);
  if (failures.length > 0) {
    out.push("", "Failures:");
    failures.forEach((f, i) => {
      out.push(formatFailure(f, i + 1, apiKey));
    });
  }
  out.push(
    "",
    report.ok ? "OK: every check that ran passed." : `FAILED: ${failures.length} failure(s).`,
  );
  return out.join("\n");
}
