/**
 * The data converter the Temporal client (API, scripts) and the workers share: the default JSON payload
 * converter plus, when PAYLOAD_ENCRYPTION_KEYS is set, the AES-256-GCM codec. Both sides must agree, so both
 * call this with the same config. Codecs run outside the workflow sandbox: the workflow bundle is unchanged.
 */
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import { parseKeyRing } from './keys';

type CodecConfig = Pick<Config, 'PAYLOAD_ENCRYPTION_KEYS' | 'PAYLOAD_ENCRYPTION_KEY_ID'>;

export function payloadCodecFor(config: CodecConfig): AesGcmPayloadCodec | undefined {
  const ring = parseKeyRing(config.PAYLOAD_ENCRYPTION_KEYS, config.PAYLOAD_ENCRYPTION_KEY_ID);
  return ring ? new AesGcmPayloadCodec(ring) : undefined;
}

/** `undefined` when encryption is off, so callers can pass it straight to Client / Worker options. */
export function dataConverterFor(config: CodecConfig): DataConverter | undefined {
  const codec = payloadCodecFor(config);
  return codec ? { payloadCodecs: [codec] } : undefined;
}
