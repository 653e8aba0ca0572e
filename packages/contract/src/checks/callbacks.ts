/**
 * callbacks: the deliveries a local receiver got for the lifecycle task must each validate against
 * the spec's CallbackPayload, concern that task, arrive in forward order ending with the task's
 * terminal status, and (when a secret is given) carry a valid Standard Webhooks signature.
 */

import type { Delivery, Receiver } from "../callbacks/receiver.js";
import { verifyWebhook } from "../callbacks/signature.js";
import { excerpt, parseJson } from "../http.js";
import { describeErrors } from "../oracle.js";
import type { Session } from "../session.js";
import { defineCheck } from "./define.js";
import { KLING_RANK, passTime } from "./lifecycle.js";
import type { Finding, LifecycleOutcome, Outcome } from "./outcome.js";

const NAME = "callbacks";

/**
 * The `callbacks` check: billable (it waits on the lifecycle task), and it needs a callback
 * receiver and that task.
 */
export const callbacksCheck = defineCheck({
  name: NAME,
  billable: true,
  stage: "main",
  needs: ["inbox", "task"],
  run: ({ session, inbox, task }) => callbacks(session, inbox.receiver, inbox.path, task),
});

const TERMINAL = new Set(["succeed", "failed"]);

function statusOf(delivery: Delivery): string | undefined {
  const parsed = parseJson(delivery.body);
  if (!parsed.ok || typeof parsed.value !== "object" || parsed.value === null) return undefined;
  const status = (parsed.value as Record<string, unknown>).task_status;
  return typeof status === "string" ? status : undefined;
}

/** Waits (advancing a virtual clock if there is one) until a terminal delivery has arrived. */
async function awaitTerminal(
  session: Session,
  deliveries: Delivery[],
  path: string,
): Promise<void> {
  const deadline = Date.now() + session.options.callbackWaitMs;
  while (Date.now() < deadline) {
    if (deliveries.some((d) => d.path === path && TERMINAL.has(statusOf(d) ?? ""))) {
      // Give stragglers (out-of-order deliveries) a moment to show themselves.
      await new Promise((resolve) => setTimeout(resolve, 100));
      return;
    }
    if (session.options.advance) await passTime(session, 1_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs `callbacks` on the deliveries for the lifecycle task. */
export async function callbacks(
  session: Session,
  receiver: Receiver,
  path: string,
  task: LifecycleOutcome,
): Promise<Outcome<typeof NAME>> {
  const failures: Finding<typeof NAME>[] = [];
  if (!task.taskId || !task.finalKlingStatus) {
    return {
      failures,
      skipped: [`${NAME}: the lifecycle task did not finish, so there is nothing to compare`],
    };
  }
  await awaitTerminal(session, receiver.deliveries, path);
  const deliveries = receiver.deliveries.filter((d) => d.path === path);
  const schema = session.spec.schemaPointer("CallbackPayload");
  const fail = (message: string, delivery?: Delivery) =>
    failures.push({
      check: NAME,
      message: delivery ? `${message} (delivery body ${excerpt(delivery.body, 200)})` : message,
    });
  if (deliveries.length === 0) {
    fail(
      `no callback reached ${receiver.url}${path} within ${session.options.callbackWaitMs} ms of task ${task.taskId} finishing (${task.finalKlingStatus})`,
    );
    return { failures, skipped: [] };
  }
  const statuses: string[] = [];
  for (const [index, delivery] of deliveries.entries()) {
    session.count(NAME);
    const n = `delivery ${index + 1} of ${deliveries.length}`;
    const parsed = parseJson(delivery.body);
    if (!parsed.ok) {
      fail(`${n} is not JSON (${parsed.error})`, delivery);
      continue;
    }
    const verdict = await session.oracle.check(schema, parsed.value);
    if (!verdict.valid)
      fail(
        `${n} does not match #/components/schemas/CallbackPayload: ${describeErrors(verdict.errors)}`,
        delivery,
      );
    // `null`, an array or a scalar breaks the schema (said above when the oracle sees it), and has
    // no task to compare: name it and go on rather than read fields off it.
    if (typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)) {
      fail(`${n} is not a JSON object`, delivery);
      continue;
    }
    const payload = parsed.value as Record<string, unknown>;
    if (payload.task_id !== task.taskId)
      fail(`${n} is about task ${JSON.stringify(payload.task_id)}, not ${task.taskId}`, delivery);
    if (typeof payload.task_status === "string") statuses.push(payload.task_status);
    if (session.options.callbackSecret) {
      const problem = await verifyWebhook(
        session.options.callbackSecret,
        delivery.headers,
        delivery.body,
        {
          toleranceSeconds: session.options.callbackToleranceSeconds,
        },
      );
      if (problem)
        fail(`${n} (${String(payload.task_status)}) has a bad signature: ${problem}`, delivery);
    }
  }
  const order = statuses.join(" → ");
  for (let i = 1; i < statuses.length; i++) {
    const before = KLING_RANK[statuses[i - 1] ?? ""] ?? 0;
    const after = KLING_RANK[statuses[i] ?? ""] ?? 0;
    if (
      after < before ||
      (TERMINAL.has(statuses[i - 1] ?? "") && statuses[i] !== statuses[i - 1])
    ) {
      fail(`callbacks arrived out of order: ${order}`);
      break;
    }
  }
  const last = statuses.at(-1);
  if (last !== task.finalKlingStatus) {
    fail(
      `the last callback says ${JSON.stringify(last)} but the task ended ${task.finalKlingStatus} (callbacks: ${order})`,
    );
  }
  return { failures, skipped: [] };
}
