/**
 * The stable check names. They are part of the public contract of this package: CI dashboards,
 * JUnit reports and allow-lists key on them, so never rename one. Names shared with Schemathesis
 * mean the same thing there.
 */
export const CHECK_NAMES = [
  "not_a_server_error",
  "status_code_conformance",
  "content_type_conformance",
  "response_headers_conformance",
  "response_schema_conformance",
  "negative_data_rejection",
  "positive_data_acceptance",
  "ignored_auth",
  "unknown_task",
  "ensure_resource_availability",
  "lifecycle",
  "callbacks",
] as const;

/** One of {@link CHECK_NAMES}. */
export type CheckName = (typeof CHECK_NAMES)[number];

/** Checks applied to every response the kit receives, whatever scenario sent the request. */
export const RESPONSE_CHECKS: readonly CheckName[] = [
  "not_a_server_error",
  "status_code_conformance",
  "content_type_conformance",
  "response_headers_conformance",
  "response_schema_conformance",
];

/** Checks that submit tasks, which costs money on a real gateway. */
export const BILLABLE_CHECKS: readonly CheckName[] = [
  "positive_data_acceptance",
  "ensure_resource_availability",
  "lifecycle",
  "callbacks",
];
