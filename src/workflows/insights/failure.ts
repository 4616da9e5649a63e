/**
 * A failure's causes as one line for the document's `failure.reason`: each message of the cause chain once,
 * leaving out those another message already quotes (activity errors wrap their causes' messages). A timeout
 * after retries keeps the last attempt's error only in its raw failure (the SDK's TimeoutFailure has no
 * `cause`), so the raw chain is read too: "gave up after retries" alone would not say why.
 */
interface RawFailure {
  message?: string | null;
  cause?: RawFailure | null;
}

export function failureReason(error: unknown): string {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message) messages.push(message);
    let raw = (current as { failure?: RawFailure }).failure?.cause;
    for (let rawDepth = 0; raw && rawDepth < 4; rawDepth++, raw = raw.cause) if (raw.message) messages.push(raw.message);
    current = (current as { cause?: unknown }).cause;
  }
  const kept = messages.filter((message, i) => !messages.some((other, j) => j !== i && other !== message && other.includes(message)));
  return [...new Set(kept)].join(': ') || 'unknown failure';
}
