/** Errors the view modules raise; the transport (rpc.ts) maps them to contract error codes. */

/** A record the caller asked for by id does not exist (→ NOT_FOUND). */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}
