/**
 * Typed client for the Kling multi-image-to-video API (ezmodel gateway).
 * @packageDocumentation
 */
export type { components, operations, paths } from "./generated/openapi.js";
