/** The contract every authentication mode implements (the choice of mode from config: ./create-authenticator.ts). */
import type { FastifyRequest } from 'fastify';
import type { AuthMode, Principal } from './principal';

export interface Authenticator {
  mode: AuthMode;
  /** The WWW-Authenticate challenge sent with a 401. */
  challenge: string;
  /**
   * The caller's principal; `undefined` when the request carries no credential at all. Throws
   * CredentialRejected for a credential that is present but not acceptable.
   */
  authenticate(request: FastifyRequest): Promise<Principal | undefined>;
  /** Drops remembered credentials (after a revocation in this process). */
  forget?(): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    authenticator: Authenticator;
  }
}
