/**
 * Limits of the create request, as spec/openapi.yaml gives them. Kept as constants so the page
 * ships no spec; test/limits.test.ts fails when they drift from the spec.
 */
export const MAX_IMAGES = 4;
export const MAX_PROMPT_CHARS = 2500;
export const MAX_EXTERNAL_ID_CHARS = 128;
