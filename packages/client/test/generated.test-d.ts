import { describe, expectTypeOf, it } from "vitest";
import type { components } from "../src/index.js";

type CreateTaskRequest = components["schemas"]["CreateTaskRequest"];
type Image = components["schemas"]["ImageInput"];
const image: Image = { image: "https://example.com/1.jpg" };

describe("generated request types", () => {
  it("allow one to four images and nothing else", () => {
    expectTypeOf<[Image]>().toExtend<CreateTaskRequest["image_list"]>();
    expectTypeOf<[Image, Image, Image, Image]>().toExtend<CreateTaskRequest["image_list"]>();
    expectTypeOf<[]>().not.toExtend<CreateTaskRequest["image_list"]>();
    expectTypeOf<[Image, Image, Image, Image, Image]>().not.toExtend<
      CreateTaskRequest["image_list"]
    >();
    expectTypeOf<Image[]>().not.toExtend<CreateTaskRequest["image_list"]>();
  });

  it("make duration a string enum and mode an enum", () => {
    expectTypeOf<CreateTaskRequest["duration"]>().toEqualTypeOf<"5" | "10" | undefined>();
    expectTypeOf<CreateTaskRequest["mode"]>().toEqualTypeOf<"std" | "pro" | undefined>();
    const body = { model: "kling-v1-6", image_list: [image], prompt: "p", duration: 5 } as const;
    // @ts-expect-error a numeric duration breaks the gateway, so it is not a CreateTaskRequest
    const numeric: CreateTaskRequest = body;
    expectTypeOf(numeric).toBeObject();
  });
});
