/** Where a log line goes. API keys never reach it: owners are shown as fingerprints. */
export type LogSink = (line: string) => void;
