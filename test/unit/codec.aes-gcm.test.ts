/** The AES-256-GCM payload codec and its key ring, without a server. */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCODING } from '../../src/codec/aes-gcm-codec';
import { parseKeyRing } from '../../src/codec/keys';

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const text = (value: Uint8Array | null | undefined) => Buffer.from(value ?? []).toString();
const secret = { account_id: 'acc-123', amount: '1234.56' };

test('encode hides the value and names the key; decode restores the exact payload', async () => {
  const codec = new AesGcmPayloadCodec(parseKeyRing(`k1=${keyA}`, undefined)!);
  const original = defaultPayloadConverter.toPayload(secret);
  const [encrypted] = await codec.encode([original]);
  expect(text(encrypted!.metadata!.encoding)).toBe(ENCODING);
  expect(text(encrypted!.metadata!['encryption-key-id'])).toBe('k1');
  expect(text(encrypted!.data)).not.toContain('acc-123');
  const [decoded] = await codec.decode([encrypted!]);
  expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(secret);
  // Same plaintext, different ciphertext (random IV).
  const [again] = await codec.encode([original]);
  expect(Buffer.from(again!.data!).equals(Buffer.from(encrypted!.data!))).toBe(false);
});

test('rotation: new payloads use the current key, old ones still decode; a removed key is an error', async () => {
  const before = new AesGcmPayloadCodec(parseKeyRing(`k1=${keyA}`, undefined)!);
  const after = new AesGcmPayloadCodec(parseKeyRing(`k1=${keyA},k2=${keyB}`, 'k2')!);
  const [old] = await before.encode([defaultPayloadConverter.toPayload(secret)]);
  const [fresh] = await after.encode([defaultPayloadConverter.toPayload(secret)]);
  expect(text(fresh!.metadata!['encryption-key-id'])).toBe('k2');
  expect((await after.decode([old!, fresh!])).map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual([secret, secret]);
  await expect(new AesGcmPayloadCodec(parseKeyRing(`k2=${keyB}`, undefined)!).decode([old!])).rejects.toThrow('unknown encryption key id k1');
});

test('tampering or relabelling the key id fails authentication', async () => {
  const codec = new AesGcmPayloadCodec(parseKeyRing(`k1=${keyA},k2=${keyA}`, 'k1')!);
  const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(secret)]);
  const flipped: Payload = { ...encrypted!, data: Buffer.from(encrypted!.data!).map((byte, index) => (index === 20 ? byte ^ 1 : byte)) };
  await expect(codec.decode([flipped])).rejects.toThrow('authentication failed with key k1');
  // Same key material under another id: the id is authenticated data, so this fails too.
  const relabelled: Payload = { ...encrypted!, metadata: { ...encrypted!.metadata, 'encryption-key-id': Buffer.from('k2') } };
  await expect(codec.decode([relabelled])).rejects.toThrow('authentication failed with key k2');
});

test('payloads that were never encrypted pass through decode', async () => {
  const codec = new AesGcmPayloadCodec(parseKeyRing(`k1=${keyA}`, undefined)!);
  const plain = defaultPayloadConverter.toPayload(secret);
  expect(await codec.decode([plain])).toEqual([plain]);
});

test('key ring configuration errors are one line and never show key material', () => {
  expect(parseKeyRing('', undefined)).toBeUndefined();
  expect(() => parseKeyRing(`k1=${keyA},k2=${keyB}`, undefined)).toThrow('PAYLOAD_ENCRYPTION_KEY_ID must name the current key');
  expect(() => parseKeyRing(`k1=${keyA}`, 'k9')).toThrow('PAYLOAD_ENCRYPTION_KEY_ID: k9 is not in PAYLOAD_ENCRYPTION_KEYS');
  expect(() => parseKeyRing('k1=c2hvcnQ=', undefined)).toThrow('key k1 is not 32 bytes');
  expect(() => parseKeyRing(`k1=${keyA},k1=${keyB}`, 'k1')).toThrow('appears twice');
  let message = '';
  try {
    parseKeyRing(`bad id=${keyA}`, undefined);
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(/keyId=base64key/);
  expect(message).not.toContain(keyA);
  expect(() => parseKeyRing('', 'k1')).toThrow('PAYLOAD_ENCRYPTION_KEY_ID is set but PAYLOAD_ENCRYPTION_KEYS is empty');
});
