// The generator refuses a spec it cannot turn into faithful data, rather than writing a wrong
// `facts.ts` or `departures.ts` that the client, the mock and the contract kit would all trust.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderDepartures, renderFacts } from "../scripts/generate.mjs";
import { loadSpec } from "../src/index.js";

interface Rule {
  at: string;
  when: string;
}
interface Departure {
  id: string;
  example?: string;
  rules?: Rule[];
}
interface Spec {
  components: {
    schemas: {
      GatewayTaskStatus: {
        enum: string[];
        "x-status-mapping": { fromKling: Record<string, string> };
      };
      CreateTaskRequest: { "x-gateway-departure": Departure[] };
    };
  };
}

/** A fresh copy of the spec, and the `unpriceable-body-panics` departure in it. */
function spec(): { doc: Spec; panics: Departure & { rules: Rule[] } } {
  const doc = structuredClone(loadSpec()) as unknown as Spec;
  const panics = doc.components.schemas.CreateTaskRequest["x-gateway-departure"].find(
    (d) => d.id === "unpriceable-body-panics",
  );
  if (!panics?.rules) throw new Error("the spec lost its unpriceable-body-panics rules");
  return { doc, panics: panics as Departure & { rules: Rule[] } };
}

/** The rule of `panics` at a pointer ending with `suffix`. */
function rule(panics: { rules: Rule[] }, suffix: string): Rule {
  const found = panics.rules.find((r) => r.at.endsWith(suffix));
  if (!found) throw new Error(`no rule at ...${suffix}`);
  return found;
}

describe("the spec generator", () => {
  it("renders, from openapi.yaml by default, the files that are committed", () => {
    const committed = (name: string) =>
      readFileSync(new URL(`../src/generated/${name}`, import.meta.url), "utf8");
    expect(renderFacts()).toBe(committed("facts.ts"));
    expect(renderDepartures()).toBe(committed("departures.ts"));
    expect(renderFacts(loadSpec())).toBe(committed("facts.ts"));
  });

  describe("refuses facts that disagree", () => {
    it("a status mapping that misses a status of the enum", () => {
      const { doc } = spec();
      doc.components.schemas.GatewayTaskStatus.enum.push("PAUSED");
      expect(() => renderFacts(doc)).toThrow(/x-status-mapping lists .* but GatewayTaskStatus is/);
    });

    it("a Kling status mapped to a gateway status that stands for another", () => {
      const { doc } = spec();
      doc.components.schemas.GatewayTaskStatus["x-status-mapping"].fromKling.succeed = "FAILURE";
      expect(() => renderFacts(doc)).toThrow(
        /fromKling\.succeed is FAILURE, which stands for another status/,
      );
    });

    it("a Kling status the mapping leaves out", () => {
      const { doc } = spec();
      delete doc.components.schemas.GatewayTaskStatus["x-status-mapping"].fromKling.failed;
      expect(() => renderFacts(doc)).toThrow(/x-status-mapping maps .* but TaskStatus is/);
    });
  });

  describe("refuses a departure it cannot carry as data", () => {
    it("an example that does not exist", () => {
      const { doc, panics } = spec();
      panics.example = "NoSuchExample";
      expect(() => renderDepartures(doc)).toThrow(
        /unpriceable-body-panics: no example named NoSuchExample/,
      );
    });

    it("a rule at a keyword the schema does not have", () => {
      const { doc, panics } = spec();
      rule(panics, "image_list/maxItems").at =
        "#/components/schemas/CreateTaskRequest/properties/image_list/maxLength";
      expect(() => renderDepartures(doc)).toThrow(/image_list\/maxLength is not a keyword/);
    });

    it("a rule on a schema that no request body reaches", () => {
      const { doc, panics } = spec();
      rule(panics, "image_list/maxItems").at = "#/components/schemas/GatewayTaskStatus/enum";
      expect(() => renderDepartures(doc)).toThrow(
        /GatewayTaskStatus\/enum applies to 0 places of a request body, not one/,
      );
    });

    it("a rule whose value is not a scalar or a list of strings", () => {
      const { doc, panics } = spec();
      rule(panics, "image_list/maxItems").at =
        "#/components/schemas/CreateTaskRequest/properties/image_list/items";
      expect(() => renderDepartures(doc)).toThrow(
        /image_list\/items has a value this cannot carry/,
      );
    });

    it("a number range in words it cannot read", () => {
      const { doc, panics } = spec();
      rule(panics, "duration/type").when = "duration is a JSON number of any size";
      expect(() => renderDepartures(doc)).toThrow(
        /duration\/type names a number range this cannot read/,
      );
    });

    it('"null included" on a field whose absence is no rule', () => {
      const { doc, panics } = spec();
      rule(panics, "negative_prompt/type").when = "negative_prompt is not a string (null included)";
      expect(() => renderDepartures(doc)).toThrow(
        /says "null included" but a missing negative_prompt is no rule/,
      );
    });

    it('"null excepted" on a field whose absence is a rule', () => {
      const { doc, panics } = spec();
      rule(panics, "image_list/type").when = "image_list is not an array (null excepted)";
      expect(() => renderDepartures(doc)).toThrow(
        /says "null excepted" but a missing image_list is a rule/,
      );
    });
  });
});
