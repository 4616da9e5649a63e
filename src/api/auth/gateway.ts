/**
 * `AUTH_MODE=gateway`: an API gateway (Apigee in the seeds) validated the caller and injected `X-User-Id` and
 * `X-Roles`. Those headers are believed only when the TCP peer is one of AUTH_TRUSTED_PROXIES; from anyone
 * else they are a forgery attempt and refused (401), never ignored.
 */
import { BlockList, isIP } from 'node:net';
import type { Config } from '../../config';
import type { Authenticator } from './authenticator';
import { headerValue, PRINCIPAL_ID } from './headers';
import { CredentialRejected } from './problems';
import { toRoles } from './roles';

export function parseTrustedProxies(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    if (family === 0) throw new Error(`AUTH_TRUSTED_PROXIES: ${entry} is not an IP address or CIDR`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const bits = Number(prefix);
    if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
      throw new Error(`AUTH_TRUSTED_PROXIES: ${entry} has a bad prefix length`);
    }
    list.addSubnet(address, bits, type);
  }
  return list;
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is matched as `10.0.0.1`. */
export function isTrusted(list: BlockList, remoteAddress: string | undefined): boolean {
  if (!remoteAddress) return false;
  const address = remoteAddress.startsWith('::ffff:') && isIP(remoteAddress.slice(7)) === 4 ? remoteAddress.slice(7) : remoteAddress;
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export function createGatewayAuthenticator(config: Config): Authenticator {
  if (config.AUTH_TRUSTED_PROXIES.length === 0) {
    throw new Error('AUTH_MODE=gateway needs AUTH_TRUSTED_PROXIES (the gateway addresses or CIDRs)');
  }
  const trusted = parseTrustedProxies(config.AUTH_TRUSTED_PROXIES);
  return {
    mode: 'gateway',
    challenge: 'Gateway realm="fluxo"',
    async authenticate(request) {
      const userId = headerValue(request.headers['x-user-id']);
      const roles = headerValue(request.headers['x-roles']);
      const peer = request.socket.remoteAddress;
      if (!isTrusted(trusted, peer)) {
        if (userId !== undefined || roles !== undefined) {
          throw new CredentialRejected('untrusted-proxy', `identity headers from ${peer ?? 'an unknown address'}, which is not a trusted proxy`);
        }
        return undefined;
      }
      if (userId === undefined) return undefined;
      if (!PRINCIPAL_ID.test(userId)) throw new CredentialRejected('malformed', 'X-User-Id is not a valid user id');
      return { id: userId, roles: toRoles(roles), method: 'gateway' };
    },
  };
}
