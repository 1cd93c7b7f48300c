// Message ids are Redis stream ids, "<ms>-<seq>". They compare as two numbers, never as strings
// ("9-0" is older than "10-0"). BigInt keeps the millisecond part exact.

/** Negative, zero or positive, as `a` is older than, the same as or newer than `b`. */
export function compareIds(a, b) {
  const [am, as] = a.split('-');
  const [bm, bs] = b.split('-');
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(as) - BigInt(bs);
  return seq === 0n ? 0 : (seq < 0n ? -1 : 1);
}

/** A client id for a message: the same one is reused for every retry, so a retry is never doubled. */
export function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
