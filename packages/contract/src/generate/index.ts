/**
 * Request bodies generated from the spec's `CreateTaskRequest` with fast-check: the limits read
 * from the spec (`limits.ts`), valid bodies within them (`valid.ts`), and invalid bodies that each
 * break one named rule (`mutations.ts`).
 */
export { type RequestRules, readRules } from "./limits.js";
export { type GeneratedBody, MUTATIONS, type Mutation } from "./mutations.js";
export { finalize, type ValidBodyOptions, validBody } from "./valid.js";
