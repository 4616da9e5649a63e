/**
 * Payload encryption keys from config: PAYLOAD_ENCRYPTION_KEYS="2025-01=<base64 32 bytes>,2025-07=<…>" and
 * PAYLOAD_ENCRYPTION_KEY_ID naming the one new payloads are encrypted with. Rotation: add the new key, make it
 * current, keep the old one listed until no history that uses it is still needed (retention), then remove it.
 */
export const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export interface KeyRing {
  /** Key id used to encrypt. */
  currentKeyId: string;
  keys: Map<string, Buffer>;
}

export function parseKeyRing(spec: string, currentKeyId: string | undefined): KeyRing | undefined {
  const entries = spec
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (entries.length === 0) {
    if (currentKeyId) throw new Error('PAYLOAD_ENCRYPTION_KEY_ID is set but PAYLOAD_ENCRYPTION_KEYS is empty');
    return undefined;
  }
  const keys = new Map<string, Buffer>();
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    const id = entry.slice(0, equals);
    // Never echo key material into an error message.
    if (equals < 1 || !KEY_ID.test(id)) throw new Error('PAYLOAD_ENCRYPTION_KEYS: each entry is keyId=base64key, keyId matching [A-Za-z0-9_.-]{1,64}');
    const key = Buffer.from(entry.slice(equals + 1), 'base64');
    if (key.length !== 32) throw new Error(`PAYLOAD_ENCRYPTION_KEYS: key ${id} is not 32 bytes of base64 (AES-256)`);
    if (keys.has(id)) throw new Error(`PAYLOAD_ENCRYPTION_KEYS: key id ${id} appears twice`);
    keys.set(id, key);
  }
  const current = currentKeyId ?? (keys.size === 1 ? [...keys.keys()][0] : undefined);
  if (!current) throw new Error('PAYLOAD_ENCRYPTION_KEY_ID must name the current key when PAYLOAD_ENCRYPTION_KEYS lists several');
  if (!keys.has(current)) throw new Error(`PAYLOAD_ENCRYPTION_KEY_ID: ${current} is not in PAYLOAD_ENCRYPTION_KEYS`);
  return { currentKeyId: current, keys };
}
