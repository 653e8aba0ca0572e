/**
 * Limits of the create request, read from the spec's generated facts (plain data, no spec parser
 * in the page): a change to a limit in spec/openapi.yaml reaches the form with `pnpm generate`.
 */
import { CREATE_TASK_LIMITS } from "@kling-multi-image/spec/facts";

/** Most reference images in one submit. */
export const MAX_IMAGES: number = CREATE_TASK_LIMITS.image_list.maxItems;
/** Most characters in the prompt (and in the negative prompt). */
export const MAX_PROMPT_CHARS: number = CREATE_TASK_LIMITS.prompt.maxLength;
/** Most characters in `external_task_id`. */
export const MAX_EXTERNAL_ID_CHARS: number = CREATE_TASK_LIMITS.external_task_id.maxLength;
