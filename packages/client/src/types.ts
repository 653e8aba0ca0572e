import type { components } from "./generated/openapi.js";

type Schemas = components["schemas"];

/** The body of a submit, typed from the spec (`CreateTaskRequest`). */
export type CreateTaskRequest = Schemas["CreateTaskRequest"];
/** One `image_list` entry: an http(s) URL or raw Base64 without a `data:` prefix. */
export type ImageInput = Schemas["ImageInput"];
/** The submit's answer in either of the gateway's two shapes. */
export type CreateTaskResponse = Schemas["CreateTaskResponse"];
/** The gateway's answer to a task query (the wrapper around the raw Kling task). */
export type TaskQueryResponse = Schemas["TaskQueryResponse"];
/** Official Kling's view of a task, as nested in a query and as posted to callbacks. */
export type KlingTask = Schemas["KlingTask"];
/** The body Kling posts to `callback_url`. */
export type CallbackPayload = Schemas["CallbackPayload"];
/** The gateway's own task status (`NOT_START` ... `UNKNOWN`). */
export type GatewayTaskStatus = Schemas["GatewayTaskStatus"];
/** Kling's task status: `submitted | processing | succeed | failed`. */
export type TaskStatus = Schemas["TaskStatus"];
/** Either of the gateway's error envelopes. */
export type ErrorResponse = Schemas["ErrorResponse"];
