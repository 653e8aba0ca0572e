/**
 * The Kling API's body types, as generated from spec/openapi.yaml (`src/generated/api.ts`): the
 * simulator reads requests and builds replies in these, so a field the spec renames or retypes
 * fails typecheck here instead of drifting.
 */
import type { components } from "../generated/api.js";

type Schemas = components["schemas"];

/** A submit body that passed validation against the spec. */
export type CreateBody = Schemas["CreateTaskRequest"];
/** Aspect ratios the spec allows. */
export type AspectRatio = NonNullable<CreateBody["aspect_ratio"]>;
/** Kling's task status. */
export type KlingStatus = Schemas["TaskStatus"];
/** The gateway's task statuses a Kling task can have (the spec: Kling never maps to QUEUED, UNKNOWN). */
export type GatewayStatus = Exclude<Schemas["GatewayTaskStatus"], "QUEUED" | "UNKNOWN">;
/** Kling's task object (nested in the query answer, and the callback payload). */
export type KlingTask = Schemas["KlingTask"];
/** The gateway's answer to a query. */
export type TaskQueryResponse = Schemas["TaskQueryResponse"];
/** The create answer as the gateway's docs show it. */
export type DocumentedCreateTaskResponse = Schemas["DocumentedCreateTaskResponse"];
/** The create answer as the gateway's code builds it. */
export type ObservedCreateTaskResponse = Schemas["ObservedCreateTaskResponse"];
/** A callback's body. */
export type CallbackPayload = Schemas["CallbackPayload"];
