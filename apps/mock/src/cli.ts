#!/usr/bin/env node
/**
 * `kling-mock`: starts the mock from the command line. Options come from flags, then the
 * environment (`PORT`), then defaults; it prints its URL and a curl that works.
 */
import { parseCli, USAGE } from "./cli-args.js";
import { createMockServer } from "./server.js";
import { playgroundBuilt } from "./ui/index.js";

function fail(message: string): never {
  process.stderr.write(`kling-mock: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const parsed = parseCli(process.argv.slice(2), process.env);
  if (parsed.kind === "help") {
    process.stdout.write(USAGE);
    return;
  }
  if (parsed.kind === "error") fail(parsed.message);
  const { options } = parsed;
  const server = await createMockServer(options);
  // With --keys the banner does not repeat a key (keys are never printed or logged).
  const key = options.keys === undefined ? "any-key" : "<one of your --keys>";
  process.stdout.write(
    `kling-mock listening on ${server.url} (timing ${options.timing}, ${options.clock} clock, ${options.fidelity} fidelity, ${options.createShape ?? "default"} create shape, ${options.store === undefined ? "memory" : "Redis"} store)\n\n` +
      "Try it:\n" +
      `  curl -s ${server.url}/kling/v1/videos/multi-image2video \\\n` +
      `    -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' \\\n` +
      `    -d '{"model":"kling-v1-6","image_list":[{"image":"https://example.com/image1.jpg"},{"image":"https://example.com/image2.jpg"}],"prompt":"Animate the characters","duration":"5"}'\n` +
      `  curl -s ${server.url}/kling/v1/videos/multi-image2video/<task_id> -H 'Authorization: Bearer ${key}'\n\n` +
      (options.proxy === undefined
        ? ""
        : `Proxy mode: API requests go to ${options.proxy}; exchanges that break the spec: ${server.url}/__mock/proxy/violations\n`) +
      `Control API: ${server.url}/__mock/health (kling-mock --help lists its routes)\n` +
      (playgroundBuilt()
        ? `Playground: ${server.url}/   API reference: ${server.url}/reference\n`
        : "Playground not built: corepack pnpm --filter @kling-multi-image/playground build\n"),
  );
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  const code = (error as { code?: string }).code;
  if (code === "EADDRINUSE") fail("that port is in use: pass --port <n> (or PORT=<n>)");
  process.stderr.write(`kling-mock: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
