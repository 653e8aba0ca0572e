/**
 * The limits the generators follow, read from the spec's `CreateTaskRequest`: enums, lengths,
 * counts, required fields. Read, not restated, so a spec change moves the generators with it.
 */
import type { SpecModel } from "../spec.js";

type Json = Record<string, unknown>;

/** A string property's bounds. */
export interface StringRule {
  minLength: number;
  maxLength: number;
  /** The spec's `pattern`, when it has one (the prompt's: not only white space). */
  pattern?: string;
}

/** The limits the generators need, read from the spec once. */
export interface RequestRules {
  required: string[];
  enums: Record<string, string[]>;
  strings: Record<string, StringRule>;
  images: { minItems: number; maxItems: number };
  models: string[];
  /** Every property name, for `wrong_type` and `extra_nesting`. */
  properties: string[];
}

function num(value: unknown, fallback: number): number {
  return typeof value === "number" ? value : fallback;
}

/** Reads the generator limits from the spec's `CreateTaskRequest`. */
export function readRules(spec: SpecModel): RequestRules {
  const schema = spec.schema("CreateTaskRequest");
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const enums: Record<string, string[]> = {};
  const strings: Record<string, StringRule> = {};
  for (const [name, prop] of Object.entries(props)) {
    if (Array.isArray(prop.enum)) enums[name] = prop.enum.map(String);
    else if (prop.type === "string") {
      strings[name] = { minLength: num(prop.minLength, 0), maxLength: num(prop.maxLength, 200) };
      if (typeof prop.pattern === "string") (strings[name] as StringRule).pattern = prop.pattern;
    }
  }
  const list = props.image_list ?? {};
  const model = props.model ?? {};
  const models = Array.isArray(model["x-known-values"])
    ? model["x-known-values"].map(String)
    : Array.isArray(model.examples)
      ? model.examples.map(String)
      : ["kling-v1-6"];
  return {
    required: Array.isArray(schema.required) ? schema.required.map(String) : [],
    enums,
    strings,
    images: { minItems: num(list.minItems, 1), maxItems: num(list.maxItems, 4) },
    models,
    properties: Object.keys(props).filter((p) => !props[p]?.deprecated),
  };
}
