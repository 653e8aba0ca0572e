/**
 * The compiled validation engine, for runtimes without Prism (the MSW handlers in a browser):
 * `createCompiledEngine` over a document compiled at build time, and the engines of the mock's two
 * documents, ready made.
 */

import type { ValidationEngine } from "../core/engine.js";
import { document as apiDocument } from "../generated/validators/api.js";
import { document as controlDocument } from "../generated/validators/control-api.js";
import { createCompiledEngine } from "./compiled-engine.js";

export { createCompiledEngine } from "./compiled-engine.js";
export type * from "./types.js";

/** The Kling API's engine (spec/openapi.yaml), compiled. */
export const apiEngine = /* @__PURE__ */ createCompiledEngine(apiDocument);

/** The control API's engine (apps/mock/control-api.yaml), compiled. */
export const controlEngine = /* @__PURE__ */ createCompiledEngine(controlDocument);

/** Both engines, as the mock's core takes them (`Engines` in core/mock.ts). */
export function compiledEngines(): { api: ValidationEngine; control: ValidationEngine } {
  return { api: apiEngine, control: controlEngine };
}
