// Compiles the mock's two OpenAPI documents into browser-ready validation modules for the
// compiled engine (src/validation/): src/generated/validators/api.ts (spec/openapi.yaml) and
// src/generated/validators/control-api.ts (control-api.yaml).
//
//   node scripts/compile-validators.mjs          writes both modules
//   node scripts/compile-validators.mjs --check  exits 1 when a committed module is stale (`lint`)
//
// Each document goes through Prism's own loader exactly as src/prism/engine.ts loads it
// (`getHttpOperationsFromSpec`, after declaring the 3.1 default `jsonSchemaDialect`). Every schema
// Prism would hand to Ajv is prepared exactly as Prism prepares it: body schemas normalised as
// src/prism/plans.ts (allOf merged, readOnly/writeOnly stripped), parameter schemas built as
// prism-http's `createJsonSchemaFromParams`. Each is compiled by the Ajv instance Prism would pick
// (by `$schema`: draft-07, 2019-09 or 2020-12; with the same options, `coerceTypes` per use,
// ajv-formats and Prism's own `date-time`) and emitted as Ajv *standalone* code, so nothing is
// compiled at run time (no `new Function`, CSP-safe). Around the functions the module carries, as
// plain data, what routing and the other checks read: operations, security, parameters, media
// types, responses.
//
// Two refinements that do not change any outcome: keywords Ajv does not act on (descriptions,
// examples, `x-` extensions, annotations) are dropped from a schema before emitting it (the
// original must compile first, so a schema Prism's Ajv refuses stays refused), and identical
// schemas share one function.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse } from "yaml";
import { writeOrCheck } from "../../../scripts/generated-files.mjs";

const require = createRequire(import.meta.url);
// Everything Prism-side is resolved from prism-http, so that the generator uses the very modules
// (Ajv classes, formats, loader, normalisers) Prism's engine uses.
const prismRequire = createRequire(
  require.resolve("@stoplight/prism-http/dist/validator/index.js"),
);
const { getHttpOperationsFromSpec } = prismRequire("../utils/operations.js");
const { stripReadOnlyProperties, stripWriteOnlyProperties } = prismRequire(
  "../utils/filterRequiredProperties.js",
);
const mergeAllOf = prismRequire("@stoplight/json-schema-merge-allof");
const lodash = prismRequire("lodash");
const utilsRequire = createRequire(prismRequire.resolve("./validators/utils.js"));
const AjvDraft7 = utilsRequire("ajv").default;
const Ajv2019 = utilsRequire("ajv/dist/2019").default;
const Ajv2020 = utilsRequire("ajv/dist/2020").default;
const addFormats = utilsRequire("ajv-formats").default;
const standaloneCode = utilsRequire("ajv/dist/standalone").default;
const { _ } = utilsRequire("ajv");
const dateTimePath = prismRequire.resolve("./validators/dateTime.js");
const dateTime = prismRequire("./validators/dateTime.js");

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** The documents this script compiles. */
export const DOCUMENTS = [
  {
    name: "api",
    spec: require.resolve("@kling-multi-image/spec/openapi.yaml"),
    target: fileURLToPath(new URL("../src/generated/validators/api.ts", import.meta.url)),
  },
  {
    name: "control-api",
    spec: fileURLToPath(new URL("../control-api.yaml", import.meta.url)),
    target: fileURLToPath(new URL("../src/generated/validators/control-api.ts", import.meta.url)),
  },
];

const DIALECT_2020_12 = "https://json-schema.org/draft/2020-12/schema";
const INPUT = 0;
const OUTPUT = 1;

/** `readForPrism` + `getHttpOperationsFromSpec`, as src/prism/engine.ts does. */
export async function loadOperations(specPath) {
  const doc = parse(readFileSync(specPath, "utf8"));
  if (
    typeof doc.openapi === "string" &&
    doc.openapi.startsWith("3.1") &&
    doc.jsonSchemaDialect === undefined
  ) {
    doc.jsonSchemaDialect = DIALECT_2020_12;
  }
  return getHttpOperationsFromSpec(doc);
}

/** Prism's body schema normalisation (`memoizeSchemaNormalizer` in body.js), as plans.ts. */
function normalise(schema, context) {
  if (schema === undefined || schema === null) return undefined;
  let merged;
  try {
    merged = mergeAllOf(schema, { deep: true, ignoreAdditionalProperties: true });
  } catch {
    merged = schema;
  }
  const stripped =
    context === INPUT ? stripReadOnlyProperties(merged) : stripWriteOnlyProperties(merged);
  return stripped._tag === "Some" ? stripped.value : undefined;
}

/** prism-http's `createJsonSchemaFromParams`. */
function schemaFromParams(params) {
  return {
    type: "object",
    properties: lodash.pickBy(
      lodash.mapValues(
        lodash.keyBy(params, (p) => p.name.toLocaleLowerCase()),
        "schema",
      ),
    ),
    required: lodash.compact(params.map((m) => (m.required ? m.name.toLowerCase() : undefined))),
  };
}

// --- schemas -> Ajv instances -> standalone code ----------------------------------------------

const BASE_AJV_OPTIONS = {
  allErrors: true,
  allowUnionTypes: true,
  allowMatchingProperties: true,
  strict: false,
  logger: false,
};
const DRAFT_2019_09 = /^https?:\/\/json-schema.org\/draft\/2019-09\/schema#?$/;
const DRAFT_2020_12 = /^https?:\/\/json-schema.org\/draft\/2020-12\/schema#?$/;

/** Keywords with subschemas, by shape: Ajv only validates through these. */
const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
const SCHEMA_LISTS = ["allOf", "anyOf", "oneOf", "prefixItems"];
const SCHEMA_ONE = [
  "additionalItems",
  "additionalProperties",
  "unevaluatedItems",
  "unevaluatedProperties",
  "contains",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
];
/** Keywords Ajv (with these options) generates no code for. */
const INERT = new Set([
  "title",
  "description",
  "examples",
  "example",
  "$comment",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
  "contentMediaType",
  "contentEncoding",
  "contentSchema",
]);

/** A copy of a schema without the keywords Ajv ignores; the schema itself if it uses `$ref`. */
function withoutInertKeywords(schema) {
  if (JSON.stringify(schema).includes('"$ref"')) return schema;
  const walk = (s, depth) => {
    if (s === null || typeof s !== "object" || Array.isArray(s)) return s;
    if (depth > 64) throw new Error("schema too deep (circular?)");
    const out = {};
    for (const [key, value] of Object.entries(s)) {
      if (INERT.has(key) || key.startsWith("x-")) continue;
      if (SCHEMA_MAPS.includes(key) && value && typeof value === "object") {
        out[key] = Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k, walk(v, depth + 1)]),
        );
      } else if (SCHEMA_LISTS.includes(key) && Array.isArray(value)) {
        out[key] = value.map((v) => walk(v, depth + 1));
      } else if (key === "items") {
        out[key] = Array.isArray(value)
          ? value.map((v) => walk(v, depth + 1))
          : walk(value, depth + 1);
      } else if (key === "dependencies" && value && typeof value === "object") {
        out[key] = Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k, Array.isArray(v) ? v : walk(v, depth + 1)]),
        );
      } else if (SCHEMA_ONE.includes(key)) {
        out[key] = walk(value, depth + 1);
      } else {
        out[key] = value;
      }
    }
    return out;
  };
  return walk(schema, 0);
}

/** Compiles the schemas of one document into named standalone functions. */
class ValidatorSet {
  constructor() {
    this.instances = new Map();
    this.byKey = new Map();
    /** @type {{name: string, code: string, comment: string}[]} */
    this.functions = [];
  }

  /** Prism's `assignAjvInstance(String(schema.$schema), coerce)`, one set per document. */
  instance(draftOf, coerce) {
    const draft = DRAFT_2019_09.test(draftOf)
      ? "2019"
      : DRAFT_2020_12.test(draftOf)
        ? "2020"
        : "draft7";
    const key = `${draft}/${coerce}`;
    let ajv = this.instances.get(key);
    if (ajv === undefined) {
      const Ajv = draft === "2019" ? Ajv2019 : draft === "2020" ? Ajv2020 : AjvDraft7;
      ajv = new Ajv({
        ...BASE_AJV_OPTIONS,
        coerceTypes: coerce,
        code: { source: true, esm: true, lines: true, formats: _`formats` },
      });
      addFormats(ajv);
      ajv.addFormat("date-time", dateTime.fmtDef(dateTime.date_time, dateTime.compareDateTime));
      this.instances.set(key, ajv);
    }
    return { ajv, key };
  }

  /**
   * The name of the function validating like Prism's `validateAgainstSchema(value, schema,
   * coerce, ...)`, or null when Ajv refuses the schema (Prism then reports nothing).
   */
  compile(schema, coerce, bundle, comment) {
    const { ajv, key } = this.instance(String(schema.$schema), coerce);
    const original = { ...schema, __bundled__: bundle };
    let validate;
    try {
      validate = ajv.compile(original);
    } catch {
      return null;
    }
    const lean = withoutInertKeywords(original);
    const dedupeKey = `${key} ${JSON.stringify(lean)}`;
    const known = this.byKey.get(dedupeKey);
    if (known !== undefined) return known;
    if (lean !== original) {
      try {
        validate = ajv.compile(lean);
      } catch {}
    }
    const name = `v${this.functions.length}`;
    const source = standaloneCode(ajv, validate);
    const header = /^"use strict";\s*export const validate = (\w+);\s*export default \1;\s*/.exec(
      source,
    );
    if (!header) throw new Error("unexpected Ajv standalone output");
    const body = source.slice(header[0].length).trim();
    this.functions.push({
      name,
      comment,
      code: `const ${name} = /* @__PURE__ */ (() => {\n${body}\nreturn ${header[1]};\n})();`,
    });
    this.byKey.set(dedupeKey, name);
    return name;
  }
}

// --- operations -> data --------------------------------------------------------------------

/** A reference to a validator in the emitted data. */
class Ref {
  constructor(name) {
    this.name = name;
  }
}
const ref = (name) => (name === null ? null : new Ref(name));

/** The parts of a schema Prism's deserializers read (type, properties, items). */
function shapeOf(schema, depth = 0) {
  if (schema === null || typeof schema !== "object" || depth > 16) return undefined;
  const shape = {};
  if (schema.type !== undefined) shape.type = schema.type;
  if (schema.properties && typeof schema.properties === "object") {
    shape.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([k, v]) => [k, shapeOf(v, depth + 1) ?? {}]),
    );
  }
  if (schema.items && typeof schema.items === "object") {
    shape.items = shapeOf(schema.items, depth + 1);
  }
  return shape;
}

function compileParams(set, specs, bundle, comment) {
  if (!specs || specs.length === 0) return undefined;
  const schema = schemaFromParams(specs);
  return {
    params: Object.entries(lodash.keyBy(specs, (s) => s.name.toLowerCase())).map(([key, p]) => ({
      name: p.name,
      key,
      ...(p.style === undefined ? {} : { style: p.style }),
      ...(p.explode === undefined ? {} : { explode: p.explode }),
      ...(schema.properties[key] === undefined ? {} : { schema: shapeOf(schema.properties[key]) }),
    })),
    deprecated: specs.filter((s) => s.deprecated).map((s) => s.name),
    validate: ref(set.compile(schema, true, bundle, comment)),
  };
}

function compileContents(set, contents, context, bundle, where) {
  return (contents ?? []).map((content) => {
    const out = { mediaType: content.mediaType };
    const schema = normalise(content.schema, context);
    if (schema !== undefined) {
      const comment = `${where} ${content.mediaType}`;
      out.validate = ref(set.compile(schema, false, bundle, comment));
      out.validateForm = ref(set.compile(schema, true, bundle, `${comment} (form)`));
      if (schema.properties) out.formProperties = Object.keys(schema.properties);
    }
    out.encodings = (content.encodings ?? []).map((e) => {
      const propertySchema = schema?.properties?.[e.property];
      return {
        property: e.property,
        ...(e.style === undefined ? {} : { style: e.style }),
        ...(e.explode === undefined ? {} : { explode: e.explode }),
        ...(e.allowReserved === undefined ? {} : { allowReserved: e.allowReserved }),
        ...(propertySchema && typeof propertySchema === "object"
          ? { schema: shapeOf(propertySchema) }
          : {}),
      };
    });
    return out;
  });
}

/** `uri-template-lite`'s `URI.Template` parse, without the `Function` it builds. */
export function compilePathTemplate(template) {
  const SEPARATORS = { "": ",", "+": ",", "#": ",", "?": "&" };
  const escapeRe = /[$-/?[-^{|}]/g;
  const expandRe = /\{([#&+./;?]?)((?:[-\w%.]+(\*|:\d+)?(?:,|(?=})))+)\}/g;
  const parseRe = RegExp(`${expandRe.source}|.[^{]*?`, "g");
  const escapeRegExp = (s) => s.replace(escapeRe, "\\$&");
  const lengths = {};
  const variables = [];
  let pos = 0;
  const source = `^${template.replace(parseRe, (whole, op, vals) => {
    if (!vals) return escapeRegExp(whole);
    const sep = SEPARATORS[op] || op;
    const named = sep === ";" || sep === "&";
    return vals
      .split(",")
      .map((rawName, i) => {
        const mod = rawName.split(/[*:]/);
        const name = mod[0];
        let re = `${lengths[name] || "("}.*?)`;
        pos++;
        if (mod[1]) {
          re = `((?:%..|.){1,${mod[1]}})`;
          lengths[name] = `(\\${pos}`;
        }
        variables.push({
          name,
          group: pos,
          separator: named ? `${sep + name}=` : sep,
          list: mod[1] === "",
        });
        re =
          escapeRegExp(i === 0 ? (op === "+" ? "" : op) : sep) +
          (named
            ? `${escapeRegExp(name)}(?:=${re})?`
            : sep === "&"
              ? escapeRegExp(`${name}=`) + re
              : re);
        return mod[1] === "" ? `(?:${re})?` : re;
      })
      .join("");
  })}$`;
  return { source, variables };
}

function securityOf(security) {
  if (security === undefined) return undefined;
  return security.map((alternative) =>
    alternative.map((s) => {
      const out = { type: s.type };
      for (const k of ["scheme", "in", "name"]) if (k in s && s[k] !== undefined) out[k] = s[k];
      return out;
    }),
  );
}

function compileOperation(set, op) {
  const bundle = op.__bundled__;
  const label = `${op.method.toUpperCase()} ${op.path}`;
  const out = { id: op.id };
  if (op.iid !== undefined) out.iid = op.iid;
  out.method = op.method;
  out.path = op.path;
  const security = securityOf(op.security);
  if (security !== undefined) out.security = security;
  const req = op.request;
  if (req !== undefined && req !== null) {
    const request = {};
    if (req.body !== undefined && req.body !== null) {
      request.body = { required: !!req.body.required };
      if (req.body.contents !== undefined) {
        request.body.contents = compileContents(
          set,
          req.body.contents,
          INPUT,
          bundle,
          `${label} request`,
        );
      }
    }
    for (const [location, prefix] of [
      ["headers", "header"],
      ["query", "query"],
      ["path", "path"],
    ]) {
      const params = compileParams(set, req[location], bundle, `${label} ${prefix} parameters`);
      if (params !== undefined) request[location] = params;
    }
    if (req.path) request.pathTemplate = compilePathTemplate(op.path);
    out.request = request;
  }
  out.responses = op.responses.map((r) => {
    const response = {
      code: r.code,
      contents: compileContents(set, r.contents, OUTPUT, bundle, `${label} ${r.code}`),
    };
    const headers = compileParams(set, r.headers, bundle, `${label} ${r.code} headers`);
    if (headers !== undefined) response.headers = headers;
    return response;
  });
  return out;
}

// --- emitting the module ---------------------------------------------------------------------

/** Serialises emitted data as TypeScript source, validators as identifiers. */
function toSource(value, indent = "") {
  if (value instanceof Ref) return value.name;
  if (value === undefined) return "undefined";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((v) => v === null || typeof v !== "object")) {
      const flat = `[${value.map((v) => toSource(v)).join(", ")}]`;
      if (flat.length + indent.length < 100) return flat;
    }
    return `[\n${value.map((v) => `${inner}${toSource(v, inner)},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "{}";
  const key = (k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
  return `{\n${entries.map(([k, v]) => `${inner}${key(k)}: ${toSource(v, inner)},`).join("\n")}\n${indent}}`;
}

/** `require("x")` calls in Ajv's standalone code, and the ESM imports they become. */
const RUNTIME_MODULES = {
  "ajv/dist/runtime/equal": "ajvEqual",
  "ajv/dist/runtime/ucs2length": "ajvUcs2length",
  "ajv/dist/runtime/uri": "ajvUri",
  "ajv/dist/runtime/re2": "ajvRe2",
  "ajv/dist/runtime/validation_error": "ajvValidationError",
  "ajv-formats/dist/formats": "ajvFormats",
};

/**
 * Renders the module of one document (`{spec}`). With `absoluteImports`, runtime imports are file
 * URLs, so that the module also works outside the package (tests compile documents into a
 * temporary directory).
 */
export async function render(document, { absoluteImports = false } = {}) {
  const operations = await loadOperations(document.spec);
  const set = new ValidatorSet();
  const data = {
    source: relative(repoRoot, document.spec).split("\\").join("/"),
    operations: operations.map((op) => compileOperation(set, op)),
  };
  const used = new Set(["ajv-formats/dist/formats"]);
  const functions = set.functions.map((f) => {
    const code = f.code.replace(/require\("([^"]+)"\)/g, (_whole, spec) => {
      const name = RUNTIME_MODULES[spec];
      if (name === undefined) throw new Error(`Ajv standalone code requires unknown ${spec}`);
      used.add(spec);
      return `cjs(${name})`;
    });
    return `// ${f.comment}\n${code}`;
  });
  const needsDateTime = functions.some((f) => f.includes('formats["date-time"]'));
  const imports = [...used].sort().map((spec) => {
    const resolved = require.resolve(`${spec}.js`); // resolvable from the package
    const from = absoluteImports ? pathToFileURL(resolved).href : `${spec}.js`;
    return `import * as ${RUNTIME_MODULES[spec]} from "${from}";`;
  });
  const dateTimeSource = needsDateTime
    ? [
        "",
        "// Prism's own `date-time` format (prism-http validators/dateTime.js), which replaces ajv-formats'.",
        "const prismDateTime = /* @__PURE__ */ (() => {",
        "const exports = {};",
        readFileSync(dateTimePath, "utf8")
          .replace(/^"use strict";\s*/, "")
          .replace(/^Object\.defineProperty\(exports, "__esModule".*$/m, "")
          .replace(/^\/\/# sourceMappingURL=.*$/m, "")
          .trim(),
        "return exports;",
        "})();",
      ].join("\n")
    : "";
  const formats = needsDateTime
    ? `const formats = {\n  ...cjs(ajvFormats).fullFormats,\n  "date-time": prismDateTime.fmtDef(prismDateTime.date_time, prismDateTime.compareDateTime),\n};`
    : "const formats = cjs(ajvFormats).fullFormats;";
  const specLabel = data.source;
  return `// @ts-nocheck
/**
 * Generated by scripts/compile-validators.mjs from ${specLabel}: Ajv standalone validators and the
 * operations of the document, for the compiled engine (src/validation/compiled-engine.ts).
 * Do not edit by hand: change the document, then run \`pnpm --filter @kling-multi-image/mock generate\`.
 */
import type { CompiledDocument } from "../../validation/types.js";
${imports.join("\n")}

/** A CommonJS module's exports, however the importer (Node, a bundler) wraps them. */
const cjs = (m) => (m.default?.__esModule ? m.default : m);
${dateTimeSource}
${formats}

${functions.join("\n\n")}

export const document: CompiledDocument = ${toSource(data)};

export default document;
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outputs = [];
  for (const document of DOCUMENTS) outputs.push([document.target, await render(document)]);
  writeOrCheck(outputs, {
    check: process.argv.includes("--check"),
    upToDate: "generated validators are up to date",
  });
}
