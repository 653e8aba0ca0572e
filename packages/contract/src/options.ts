/**
 * The options of a run as the session and the checks read them: all of `ContractOptions` (in
 * `types.ts`) but `only`. That one is typed by the check names, which the registry derives from the
 * checks; the checks read these options, so a name-typed field here would close an import cycle.
 */

/** Every option of `ContractOptions` except the check selection (`only`). */
export interface RunOptions {
  /** The server under test, e.g. `https://api.ezmodel.cloud` or the mock's URL. */
  baseUrl: string;
  /** A valid API key for that server. It is never printed: curl lines use `$KLING_API_KEY`. */
  apiKey: string;
  /** Run checks that submit tasks (billable on a real gateway). Default false. */
  allowBillable?: boolean;
  /** fast-check seed; the same seed replays the same inputs. Default: time-based, printed. */
  seed?: number;
  /** Generated invalid bodies for `negative_data_rejection`, spread over the rules. Default 100. */
  cases?: number;
  /** Generated valid bodies for `positive_data_acceptance`; each one is a billable submit. Default 5. */
  validCases?: number;
  /** Per-request timeout. Default 30 000 ms. */
  timeoutMs?: number;
  /** `whsec_...` secret: callbacks must carry valid Standard Webhooks signatures. */
  callbackSecret?: string;
  /**
   * Moves the server's clock forward by `ms` (a virtual clock). With it the lifecycle check advances
   * instead of sleeping; without it the kit sleeps `pollIntervalMs` between polls.
   */
  advance?: (ms: number) => Promise<void>;
  /** Time between lifecycle polls (virtual or real). Default 5 000 ms. */
  pollIntervalMs?: number;
  /** A task must reach `succeed` or `failed` within this time (virtual or real). Default 15 min. */
  lifecycleTimeoutMs?: number;
  /**
   * Run the callbacks check with a receiver on 127.0.0.1. Default true (with allowBillable). Set
   * `publicUrl` when the server reaches the receiver through a tunnel or another address.
   */
  callbacks?: boolean | { publicUrl?: string; port?: number };
  /** How long to wait for the last callback after the task finished (real time). Default 10 000 ms. */
  callbackWaitMs?: number;
  /** Accepted skew of `webhook-timestamp` against this machine's clock. Default 300 s. */
  callbackToleranceSeconds?: number;
  /**
   * Reachable image URLs for the bodies that should be accepted (valid cases, the lifecycle task,
   * the auth probes). Default: `https://example.com/...` and a 1-pixel PNG, fine for a mock; a real
   * gateway forwards images to Kling, which may refuse what it cannot fetch.
   */
  imageUrls?: readonly string[];
  /** Progress lines (one per check); default none. */
  log?: (line: string) => void;
}

/** Options with their defaults applied. */
export type ResolvedOptions = Required<
  Pick<
    RunOptions,
    | "baseUrl"
    | "apiKey"
    | "allowBillable"
    | "seed"
    | "cases"
    | "validCases"
    | "timeoutMs"
    | "pollIntervalMs"
    | "lifecycleTimeoutMs"
    | "callbackWaitMs"
    | "callbackToleranceSeconds"
  >
> &
  RunOptions;
