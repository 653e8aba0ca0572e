/** JUnit XML for CI dashboards: one test case per named check, failures with their curl lines. */
import type { ContractReport } from "../types.js";
import { formatFailure } from "./text.js";

/** Escapes text for XML attribute values and element content. */
export function xmlEscape(text: string): string {
  return (
    text
      .replaceAll("&", "&amp;")
      .replaceAll("<", "&lt;")
      .replaceAll(">", "&gt;")
      .replaceAll('"', "&quot;")
      .replaceAll("'", "&apos;")
      // XML 1.0 cannot carry most control characters at all, even escaped.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "\uFFFD")
  );
}

/** Renders the report as a JUnit `<testsuites>` document. `apiKey` is redacted from every line. */
export function toJUnit(report: ContractReport, apiKey?: string): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const failed = report.checks.filter((c) => c.status === "failed").length;
  const skipped = report.checks.filter((c) => c.status === "skipped").length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kling-contract" tests="${report.checks.length}" failures="${failed}" errors="0" skipped="${skipped}" time="${seconds(report.durationMs)}">`,
    `  <testsuite name="kling-contract" tests="${report.checks.length}" failures="${failed}" errors="0" skipped="${skipped}" time="${seconds(report.durationMs)}">`,
    "    <properties>",
    `      <property name="base_url" value="${xmlEscape(report.baseUrl)}"/>`,
    `      <property name="seed" value="${report.seed}"/>`,
    `      <property name="generated_cases" value="${report.generatedCases}"/>`,
    "    </properties>",
  ];
  for (const check of report.checks) {
    const open = `    <testcase classname="kling-contract" name="${check.name}" time="${seconds(check.durationMs)}"`;
    if (check.status === "passed") {
      lines.push(`${open}/>`);
    } else if (check.status === "skipped") {
      lines.push(
        `${open}>`,
        `      <skipped message="${xmlEscape(check.skipReason ?? "skipped")}"/>`,
        "    </testcase>",
      );
    } else {
      const first = check.failures[0]?.message ?? "failed";
      const details = check.failures.map((f, i) => formatFailure(f, i + 1, apiKey)).join("\n\n");
      lines.push(
        `${open}>`,
        `      <failure message="${xmlEscape(`${check.failures.length} failure(s): ${first}`)}" type="${check.name}">${xmlEscape(details)}</failure>`,
        "    </testcase>",
      );
    }
  }
  lines.push("  </testsuite>", "</testsuites>", "");
  return lines.join("\n");
}
