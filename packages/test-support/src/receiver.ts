/**
 * A callback receiver for tests: a real HTTP endpoint on loopback that records every delivery and
 * answers each as the test scripts it (accept, fail with a status, redirect, or hold the request
 * and never answer).
 */
import type { OutgoingHttpHeaders } from "node:http";
import { type Hit, type Listening, startServer } from "./http-server.js";

/**
 * How the receiver answers one delivery: `"ok"` is 200 with the body `ok`; `"hold"` never answers
 * (the sender waits until it gives up or the receiver closes); a number is that status with an
 * empty body; an object is its status and headers with an empty body (a redirect's `location`).
 */
export type ReceiverAnswer =
  | "ok"
  | "hold"
  | number
  | { readonly status: number; readonly headers: OutgoingHttpHeaders };

/** Decides the answer to a delivery; `index` counts deliveries from 0. */
export type Answerer = (delivery: Hit, index: number) => ReceiverAnswer;

/** A running receiver. */
export interface CallbackReceiver extends Listening {
  /** `http://127.0.0.1:<port>/hook`. */
  readonly url: string;
  /** Every delivery received, answered or held, in order of arrival. */
  readonly received: Hit[];
  /** The deliveries it answered (any status), in order. */
  readonly answered: Hit[];
  /** The deliveries it held without answering, in order. */
  readonly held: Hit[];
}

/** Starts a receiver on 127.0.0.1; `answer` decides each answer (default: every one `"ok"`). */
export async function startReceiver(answer: Answerer = () => "ok"): Promise<CallbackReceiver> {
  const answered: Hit[] = [];
  const held: Hit[] = [];
  const server = await startServer((delivery, res, index) => {
    const decision = answer(delivery, index);
    if (decision === "hold") {
      held.push(delivery);
      return;
    }
    answered.push(delivery);
    if (decision === "ok") res.end("ok");
    else if (typeof decision === "number") res.writeHead(decision).end();
    else res.writeHead(decision.status, decision.headers).end();
  }, "/hook");
  return { ...server, received: server.hits, answered, held };
}
