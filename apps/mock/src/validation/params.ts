/**
 * Prism's parameter validation (`validators/params.js` and the style deserializers), over the
 * compiled parameter lists: deserialise each declared parameter from the request's values, drop
 * the empty ones, validate the object with the compiled (coercing) schema, then add a warning per
 * deprecated parameter that was sent.
 */
import type { Diagnostic } from "../core/engine.js";
import { convertAjvErrors, runValidator, SEVERITY_WARNING, type ValidationContext } from "./ajv.js";
import type { CompiledParams, SchemaShape } from "./types.js";

type Values = Record<string, unknown>;
type Deserializer = (
  name: string,
  parameters: Values,
  schema: SchemaShape | undefined,
  explode?: boolean,
) => unknown;

/** lodash's `baseAssignValue`: a `__proto__` key becomes an own property. */
export function assign(object: Values, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(object, key, {
      configurable: true,
      enumerable: true,
      value,
      writable: true,
    });
  } else {
    object[key] = value;
  }
}

// The deserializers keep Prism's variable names and expressions: where Prism throws (a value that
// is not a string), the TypeError's message, which quotes the expression, must be the same.
// biome-ignore-start lint/suspicious/noExplicitAny: values are whatever the request carried
// biome-ignore-start lint/performance/noAccumulatingSpread: Prism's own constructions, kept as is

function objectFromKeyValList(items: string[]): Values {
  return items.reduce<Values>((obj, item, i) => {
    if (i % 2 === 0) obj[item] = undefined;
    else obj[items[i - 1] as string] = item;
    return obj;
  }, {});
}

function implodeObject(value: any, separator: string): Values {
  return value.split(separator).reduce((result: Values, pair: string) => {
    const [k, v] = pair.split("=");
    return { ...result, [k as string]: v };
  }, {});
}

function simple(
  name: string,
  parameters: Values,
  schema: SchemaShape | undefined,
  explode?: boolean,
) {
  const type = schema ? schema.type : "undefined";
  const value: any = parameters[name];
  if (type === "array") return value === "" ? [] : value.split(",");
  if (type === "object")
    return explode ? implodeObject(value, ",") : objectFromKeyValList(value.split(","));
  return value;
}

function formArray(value: any) {
  if (Array.isArray(value)) value = value[value.length - 1];
  return value.split(",");
}

function form(name: string, parameters: Values, schema: SchemaShape | undefined, explode = true) {
  const type = schema ? schema.type : undefined;
  const values: any = parameters[name];
  if (!(type === "object" && explode) && !values) return undefined;
  if (type === "array")
    return explode ? (Array.isArray(values) ? values : [values]) : formArray(values);
  if (type === "object") {
    if (!explode) return objectFromKeyValList(formArray(values));
    const properties = (schema as SchemaShape).properties || {};
    return Object.keys(parameters).reduce<Values>((result, key) => {
      if (!Object.hasOwn(properties, key)) return result;
      return { ...result, [key]: parameters[key] };
    }, {});
  }
  return values;
}

function delimited(separator: string): Deserializer {
  const deserializeArray = (value: any) => {
    if (Array.isArray(value)) value = value[value.length - 1];
    return value ? value.split(separator) : "";
  };
  return (name, parameters, schema, explode = false) => {
    const type = schema ? schema.type : undefined;
    const values: any = parameters[name];
    if (type !== "array") {
      throw new Error("Space/pipe/comma.. delimited style is only applicable to array parameter");
    }
    return explode ? (Array.isArray(values) ? values : [values]) : deserializeArray(values);
  };
}

function deepObject(name: string, parameters: Values, schema: SchemaShape | undefined) {
  const resolve = (path: string[]) => name + path.map((el) => `[${el}]`).join("");
  const construct = (currentPath: string[], def: any): unknown => {
    if (def.type === "object") {
      const props = def.properties || {};
      return Object.keys(props).reduce<Values>(
        (result, k) => ({ ...result, [k]: construct([...currentPath, k], props[k]) }),
        {},
      );
    }
    if (def.type === "array") {
      const path = resolve(currentPath).replace(/\[/g, "\\[").replace(/\]/g, "\\]");
      const regexp = new RegExp(`^${path}\\[([0-9]+)\\]`);
      const indexes = Object.keys(parameters).reduce<Values>((list, k) => {
        const matches = regexp.exec(k);
        return matches ? { ...list, [matches[1] as string]: null } : list;
      }, {});
      return Object.keys(indexes).map((i) =>
        construct([...currentPath, String(i)], def.items || {}),
      );
    }
    return parameters[resolve(currentPath)];
  };
  return construct([], schema);
}

function label(name: string, parameters: any, schema: SchemaShape | undefined, explode = false) {
  const type = schema ? schema.type : "undefined";
  if (!parameters[name].startsWith(".")) {
    throw new Error('Label serialization style requires parameter to be prefixed with "."');
  }
  const value: string = parameters[name].substr(1);
  if (type === "array") return value === "" ? [] : value.split(explode ? "." : ",");
  if (type === "object")
    return explode ? implodeObject(value, ",") : objectFromKeyValList(value.split(","));
  return value;
}

function matrixPrimitive(name: string, value: string) {
  const prefix = `${name}=`;
  if (!value.startsWith(prefix)) {
    throw new Error("Matrix serialization style requires parameter to be prefixed with name");
  }
  return value.substr(prefix.length);
}

function matrix(name: string, parameters: any, schema: SchemaShape | undefined, explode = false) {
  const type = schema ? schema.type : "undefined";
  if (!parameters[name].startsWith(";")) {
    throw new Error('Matrix serialization style requires parameter to be prefixed with ";"');
  }
  const value: string = parameters[name].substr(1);
  if (type === "array") {
    if (explode)
      return value === "" ? [] : value.split(";").map((part) => matrixPrimitive(name, part));
    const raw = matrixPrimitive(name, value);
    return raw === "" ? [] : raw.split(",");
  }
  if (type === "object") {
    return explode
      ? implodeObject(value, ";")
      : objectFromKeyValList(matrixPrimitive(name, value).split(","));
  }
  return matrixPrimitive(name, value);
}

// biome-ignore-end lint/performance/noAccumulatingSpread: Prism's own constructions, kept as is
// biome-ignore-end lint/suspicious/noExplicitAny: values are whatever the request carried

const queryStyles: Record<string, Deserializer> = {
  form,
  spaceDelimited: delimited("%20"),
  pipeDelimited: delimited("|"),
  commaDelimited: delimited(","),
  deepObject,
  simple: form,
  unspecified: form,
};

/** Prism's deserializers per location, with the location's default style. */
export const LOCATIONS = {
  header: { styles: { simple } as Record<string, Deserializer>, defaultStyle: "simple" },
  query: { styles: queryStyles, defaultStyle: "form" },
  path: {
    styles: { simple, label, matrix } as Record<string, Deserializer>,
    defaultStyle: "simple",
  },
} as const;

/** The deserializers of form body properties (Prism uses the query ones). */
export const BODY_STYLES = queryStyles;

/** Prism's `validateParams` for one location. `target` may be null (an unmatched path). */
export function validateParams(
  target: Values | null,
  compiled: CompiledParams | undefined,
  context: ValidationContext,
  location: keyof typeof LOCATIONS,
): Diagnostic[] {
  if (compiled === undefined) return [];
  const warnings: Diagnostic[] = [];
  for (const name of compiled.deprecated) {
    if (target === null) {
      throw new TypeError(`Cannot read properties of null (reading '${name}')`);
    }
    if (target[name]) {
      warnings.push({
        path: [location, name],
        code: "deprecated",
        message: `${location[0]?.toUpperCase()}${location.slice(1)} param ${name} is deprecated`,
        severity: SEVERITY_WARNING,
      });
    }
  }
  const lowered: Values = {};
  if (target !== null) {
    for (const key of Object.keys(target)) assign(lowered, key.toLowerCase(), target[key]);
  }
  const { styles, defaultStyle } = LOCATIONS[location];
  const values: Values = {};
  for (const param of compiled.params) {
    const deserializer = styles[param.style || defaultStyle];
    const value = deserializer
      ? deserializer(param.key, lowered, param.schema, param.explode || false)
      : undefined;
    if (value) assign(values, param.key, value);
  }
  const errors = runValidator(compiled.validate, values);
  if (errors === undefined) return warnings;
  return [...convertAjvErrors(errors, context, location), ...warnings];
}
