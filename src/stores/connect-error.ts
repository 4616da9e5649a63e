/** Turns a transport error from the Temporal SDKs into a short reason for the one start-up line. */
export function connectReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Connection refused|ECONNREFUSED/i.test(message)) return 'connection refused';
  if (/deadline|timed? ?out/i.test(message)) return 'no answer before the connect timeout';
  if (/dns|ENOTFOUND|failed to lookup/i.test(message)) return 'host name not found';
  return message.split('\n')[0] ?? message;
}
