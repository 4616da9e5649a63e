/** Errors every backend throws the same way, so callers match on the class, never on a backend's message. */

/** A key that is not a safe relative path (see keys.ts); a caller's mistake, never worth retrying. */
export class InvalidObjectKeyError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid object key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidObjectKeyError';
  }
}

export class ObjectNotFoundError extends Error {
  constructor(
    readonly backend: string,
    readonly key: string,
  ) {
    super(`${backend}: object ${JSON.stringify(key)} not found`);
    this.name = 'ObjectNotFoundError';
  }
}

/** Any other failure of the store (unreachable, timed out, refused); usually worth retrying later. */
export class ObjectStorageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ObjectStorageError';
  }
}
