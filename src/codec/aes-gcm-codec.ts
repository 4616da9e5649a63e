/**
 * AES-256-GCM payload codec: every payload the client or worker sends to Temporal (inputs, results, memo,
 * summaries, signals) is replaced by an encrypted one, so histories hold no finance data in clear.
 * Encrypted payload: metadata { encoding: binary/encrypted, encryption-key-id: <id>, encryption-cipher },
 * data = 12-byte IV ‖ ciphertext ‖ 16-byte tag of the original Payload's protobuf bytes; the key id is bound
 * as additional authenticated data, so a payload cannot be relabelled to another key.
 * Payloads that are not encrypted pass through decode untouched (histories written before encryption was on).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { KeyRing } from './keys';

export const ENCODING = 'binary/encrypted';
export const KEY_ID_KEY = 'encryption-key-id';
const CIPHER = 'AES-256-GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (value: string) => new TextEncoder().encode(value);
const text = (value: Uint8Array | null | undefined) => (value ? Buffer.from(value).toString('utf8') : undefined);

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly ring: KeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.ring.currentKeyId;
    const key = this.ring.keys.get(keyId)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(keyId));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: utf8(ENCODING), [KEY_ID_KEY]: utf8(keyId), 'encryption-cipher': utf8(CIPHER) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.encoding) !== ENCODING) return payload;
      const keyId = text(payload.metadata?.[KEY_ID_KEY]);
      const key = keyId ? this.ring.keys.get(keyId) : undefined;
      if (!keyId || !key) throw new ValueError(`cannot decrypt payload: unknown encryption key id ${keyId ?? '(none)'}`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('cannot decrypt payload: data too short');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new ValueError(`cannot decrypt payload: authentication failed with key ${keyId}`);
      }
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}
