import {
  type ImageInput,
  InvalidImageError,
  imageFromBlob,
} from "@kling-multi-image/client/images";
import { el } from "./dom.js";
import { MAX_IMAGES } from "./limits.js";

interface Picked {
  name: string;
  input: ImageInput;
  previewUrl: string;
}

/**
 * Keeps the chosen images: each one is checked with the client's image helper (JPG/PNG by magic
 * bytes, 10 MB) and turned into an `image_list` entry when it is added, so a bad file is refused
 * with a message before anything is sent.
 */
export class ImagePicker {
  readonly #picked: Picked[] = [];
  readonly #list: HTMLUListElement;
  readonly #onError: (message: string | undefined) => void;

  constructor(list: HTMLUListElement, onError: (message: string | undefined) => void) {
    this.#list = list;
    this.#onError = onError;
  }

  /** How many images are chosen. */
  get count(): number {
    return this.#picked.length;
  }

  /** The chosen images as `image_list` entries. */
  get inputs(): ImageInput[] {
    return this.#picked.map((p) => p.input);
  }

  /** Adds files; refuses the ones past the limit or not valid images, saying why. */
  async add(files: Iterable<File>): Promise<void> {
    const problems: string[] = [];
    for (const file of files) {
      if (this.#picked.length >= MAX_IMAGES) {
        problems.push(`At most ${MAX_IMAGES} images: ${file.name} was not added.`);
        continue;
      }
      try {
        const input = await imageFromBlob(file);
        this.#picked.push({ name: file.name, input, previewUrl: URL.createObjectURL(file) });
      } catch (error) {
        if (!(error instanceof InvalidImageError)) throw error;
        problems.push(`${file.name}: ${error.message}`);
      }
    }
    this.#render();
    this.#onError(problems.length ? problems.join(" ") : undefined);
  }

  /** Removes every image. */
  clear(): void {
    for (const p of this.#picked.splice(0)) URL.revokeObjectURL(p.previewUrl);
    this.#render();
  }

  #remove(index: number): void {
    const [removed] = this.#picked.splice(index, 1);
    if (removed) URL.revokeObjectURL(removed.previewUrl);
    this.#render();
    this.#onError(undefined);
  }

  #render(): void {
    this.#list.replaceChildren(
      ...this.#picked.map((p, index) => {
        const item = el("li");
        item.append(el("img", "", { src: p.previewUrl, alt: `Image ${index + 1}: ${p.name}` }));
        const remove = el("button", "Remove", {
          type: "button",
          "aria-label": `Remove image ${index + 1}, ${p.name}`,
        });
        remove.addEventListener("click", () => this.#remove(index));
        item.append(remove);
        return item;
      }),
    );
  }
}
