import { MAX_EXTERNAL_ID_CHARS, MAX_IMAGES, MAX_PROMPT_CHARS } from "./limits.js";

/** What the form holds when the user presses submit. */
export interface FormValues {
  imageCount: number;
  prompt: string;
  negativePrompt: string;
  externalTaskId: string;
}

/** Field name to message, for each field that breaks a rule. */
export type FieldErrors = Partial<
  Record<"images" | "prompt" | "negativePrompt" | "externalTaskId", string>
>;

/** Length in characters as the API counts them (code points, not UTF-16 units). */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Checks the spec's rules before anything is sent, so errors show beside their fields. */
export function validateForm(values: FormValues): FieldErrors {
  const errors: FieldErrors = {};
  if (values.imageCount < 1) errors.images = "Add at least one image.";
  else if (values.imageCount > MAX_IMAGES) errors.images = `At most ${MAX_IMAGES} images.`;
  const prompt = charCount(values.prompt);
  if (values.prompt.trim() === "") errors.prompt = "A prompt is required.";
  else if (prompt > MAX_PROMPT_CHARS) {
    errors.prompt = `The prompt is ${prompt} characters; the limit is ${MAX_PROMPT_CHARS}.`;
  }
  const negative = charCount(values.negativePrompt);
  if (negative > MAX_PROMPT_CHARS) {
    errors.negativePrompt = `The negative prompt is ${negative} characters; the limit is ${MAX_PROMPT_CHARS}.`;
  }
  if (charCount(values.externalTaskId) > MAX_EXTERNAL_ID_CHARS) {
    errors.externalTaskId = `At most ${MAX_EXTERNAL_ID_CHARS} characters.`;
  }
  return errors;
}
