/**
 * The shape of a compiled document: what `scripts/compile-validators.mjs` emits into
 * `src/generated/validators/*.ts` for the compiled engine. Plain data plus Ajv standalone
 * validation functions; nothing here is parsed or compiled at run time.
 */

/** One Ajv error, as the standalone functions leave them in `validate.errors`. */
export interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** An Ajv standalone validation function. */
export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

/**
 * A compiled schema. `null` where Ajv refuses the schema: Prism then reports nothing for it
 * (its `validateAgainstSchema` swallows the compile error).
 */
export type CompiledSchema = SchemaValidator | null;

/** The parts of a parameter's (or form property's) schema that Prism's deserializers read. */
export interface SchemaShape {
  type?: unknown;
  properties?: Record<string, SchemaShape>;
  items?: SchemaShape;
}

/** One parameter, after Prism's `keyBy` on the lower-cased name (the last of a name wins). */
export interface CompiledParam {
  /** The name as declared. */
  name: string;
  /** The lower-cased name: the key of the value and of the property in the schema. */
  key: string;
  style?: string;
  explode?: boolean;
  /** Undefined when the parameter has no schema. */
  schema?: SchemaShape;
}

/** The parameters of one location (path, query, headers; or a response's headers). */
export interface CompiledParams {
  params: CompiledParam[];
  /** The declared names of deprecated parameters, in declaration order (with duplicates). */
  deprecated: string[];
  /** The object schema Prism builds from the parameters (`createJsonSchemaFromParams`), coercing. */
  validate: CompiledSchema;
}

/** How a form body's property is encoded (OpenAPI `encoding`). */
export interface CompiledEncoding {
  property: string;
  style?: string;
  explode?: boolean;
  allowReserved?: boolean;
  /** The property's schema shape; undefined when the property has no (object) schema. */
  schema?: SchemaShape;
}

/** One media type of a request or response body. */
export interface CompiledContent {
  mediaType: string;
  /**
   * The body schema after Prism's normalisation (allOf merged, readOnly or writeOnly stripped),
   * without coercion. Absent when the content has no schema.
   */
  validate?: CompiledSchema;
  /** The same schema with type coercion, for bodies Prism deserialises as forms first. */
  validateForm?: CompiledSchema;
  /** The normalised schema's property names (undefined when it has no `properties`). */
  formProperties?: string[];
  encodings: CompiledEncoding[];
}

/** A security scheme, as Prism's loader gives it. */
export interface CompiledSecurityScheme {
  type: string;
  scheme?: string;
  in?: string;
  name?: string;
}

/** The variables of a path template, precompiled from `uri-template-lite`'s `URI.Template`. */
export interface CompiledPathTemplate {
  /** The RegExp source `URI.Template` builds. */
  source: string;
  /** Per variable: its name, its capture group, the separator its values are split on, list. */
  variables: { name: string; group: number; separator: string; list: boolean }[];
}

/** One response of an operation. */
export interface CompiledResponse {
  code: string;
  contents: CompiledContent[];
  headers?: CompiledParams;
}

/** One operation, with what routing and validation need. */
export interface CompiledOperation {
  id: string;
  iid?: string;
  method: string;
  path: string;
  /** Alternatives of schemes that must all pass; absent or empty: no security. */
  security?: CompiledSecurityScheme[][];
  /** Absent when Prism's operation has no `request` (no request validation at all). */
  request?: {
    body?: { required: boolean; contents?: CompiledContent[] };
    headers?: CompiledParams;
    query?: CompiledParams;
    path?: CompiledParams;
    /** Present when Prism extracts path parameters (the operation declares `request.path`). */
    pathTemplate?: CompiledPathTemplate;
  };
  responses: CompiledResponse[];
}

/** A compiled OpenAPI document. */
export interface CompiledDocument {
  /** The document's path relative to the repository root, for messages. */
  source: string;
  operations: CompiledOperation[];
}
