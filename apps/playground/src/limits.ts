/** Limits of the create request, read from the generated types' source (spec/openapi.yaml). */
export const MAX_IMAGES = 4;
export const MAX_PROMPT_CHARS = 2500;
export const MAX_EXTERNAL_ID_CHARS = 128;
