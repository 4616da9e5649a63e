/**
 * The remote codec endpoint (`POST /codec/encode`, `POST /codec/decode`) for the Temporal Web UI and CLI
 * (`--codec-endpoint http://<api>/codec`): they send `{payloads: [{metadata: {k: base64}, data: base64}]}`
 * and get the same shape back, decrypted (or encrypted) with fluxo's keys, which never leave the API.
 * The UI calls it from its own origin (TEMPORAL_UI_URL), which CORS allows for /codec/*.
 */
import type { Payload } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { payloadCodecFor } from '../../codec/data-converter';
import { operators, readers } from '../../domain/roles';
import type { ApiDeps } from '../deps';
import { ProblemError } from '../problem';
import '../route-config';
import '../auth/principal';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
const payloadJson = z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() });
const payloadsBody = z.object({ payloads: z.array(payloadJson).max(10_000) });
type PayloadJson = z.infer<typeof payloadJson>;

const fromJson = (payload: PayloadJson): Payload => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
  data: Buffer.from(payload.data ?? '', 'base64'),
});
const toJson = (payload: Payload): PayloadJson => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
});

export async function codecRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const codec = payloadCodecFor(deps.config);
  const allowAnonymous = deps.config.CODEC_ENDPOINT_AUTH === 'none';
  // Histories can be large; the UI sends a whole page of events' payloads at once.
  const bodyLimit = Math.max(deps.config.API_BODY_LIMIT_BYTES, 16 * 1024 * 1024);

  const transform = (direction: 'encode' | 'decode') => async (request: { body: z.infer<typeof payloadsBody> }) => {
    const payloads = request.body.payloads.map(fromJson);
    if (!codec) {
      // Encryption off: nothing to do, except refuse to pretend an encrypted payload was decoded.
      if (direction === 'decode' && payloads.some((payload) => Buffer.from(payload.metadata?.encoding ?? []).toString() === 'binary/encrypted')) {
        throw new ProblemError(400, 'undecodable-payload', 'Cannot decode payload', 'payload encryption is not configured on this API (PAYLOAD_ENCRYPTION_KEYS)');
      }
      return { payloads: payloads.map(toJson) };
    }
    try {
      return { payloads: (await codec[direction](payloads)).map(toJson) };
    } catch (error) {
      throw new ProblemError(400, 'undecodable-payload', 'Cannot decode payload', (error as Error).message);
    }
  };

  api.post(
    '/codec/decode',
    {
      bodyLimit,
      config: { roles: readers, allowAnonymous, quotaExempt: true },
      schema: { tags: ['operations'], summary: 'Decrypt Temporal payloads (remote codec for the Web UI and CLI)', body: payloadsBody, response: { 200: payloadsBody } },
    },
    transform('decode'),
  );
  api.post(
    '/codec/encode',
    {
      bodyLimit,
      config: { roles: operators, allowAnonymous, quotaExempt: true },
      schema: { tags: ['operations'], summary: 'Encrypt Temporal payloads (remote codec for the Web UI and CLI)', body: payloadsBody, response: { 200: payloadsBody } },
    },
    transform('encode'),
  );
}
