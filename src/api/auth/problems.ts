/** The two refusals of the security layer, as problem+json: 401 (who are you?) and 403 (not allowed). */
import { ProblemError } from '../problem';

/** 401 with a WWW-Authenticate challenge naming the scheme the API expects. */
export function unauthorized(detail: string, challenge: string): ProblemError {
  return new ProblemError(401, 'unauthorized', 'Unauthorized', detail, {}, { 'www-authenticate': challenge });
}

export function forbidden(detail: string): ProblemError {
  return new ProblemError(403, 'forbidden', 'Forbidden', detail);
}

/** Thrown by authenticators for a credential that is present but not acceptable (expired, forged, revoked…). */
export class CredentialRejected extends Error {
  constructor(
    /** Short machine reason for metrics and logs: expired, bad-signature, revoked, untrusted-proxy… */
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'CredentialRejected';
  }
}
