/**
 * Request bodies generated from the spec's `CreateTaskRequest` with fast-check: the limits read
 * from the spec (`limits.ts`), valid bodies within them (`valid.ts`), and invalid bodies that each
 * break one named rule (`mutations.ts`).
 */
export { type RequestRules, readRules, type StringRule } from "./limits.js";
export {
  type GeneratedBody,
  MUTATIONS,
  type Mutation,
  type MutationRule,
} from "./mutations.js";
export { finalize, imageArbitrary, type ValidBodyOptions, validBody } from "./valid.js";
