import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import {
  computeDigest,
  getHeader,
  matchSignature,
  parseSignatureHeader,
  signBody,
  verifySignature,
} from '../../../lambda/shared/signature';

const RUNS = { numRuns: 200 };

const body = fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a));
const secret = fc.string({ unit: 'binary', minLength: 1, maxLength: 64 });

/** Every way a sender may encode one digest that the default scheme accepts. */
function encodings(digest: Buffer): Record<string, string> {
  const hex = digest.toString('hex');
  const b64 = digest.toString('base64');
  const b64url = digest.toString('base64url');
  return {
    'hex, lowercase': hex,
    'hex, uppercase': hex.toUpperCase(),
    'hex, sha256= prefix': `sha256=${hex}`,
    'hex, SHA256= prefix': `SHA256=${hex.toUpperCase()}`,
    'base64, padded': b64,
    'base64, unpadded': b64.replace(/=$/, ''),
    'base64, sha256= prefix': `sha256=${b64}`,
    'base64url, unpadded': b64url,
    'base64url, padded': `${b64url}=`,
  };
}

describe('signBody / computeDigest', () => {
  it('is HMAC-SHA256 of the raw bytes keyed with the UTF-8 secret', () => {
    const expected = createHmac('sha256', Buffer.from('sécret', 'utf8')).update('{"a":1}').digest('hex');
    expect(signBody('{"a":1}', 'sécret')).toBe(expected);
    expect(signBody(Buffer.from('{"a":1}'), 'sécret', { encoding: 'base64', prefix: 'sha256=' })).toBe(
      `sha256=${Buffer.from(expected, 'hex').toString('base64')}`,
    );
  });
});

describe('verifySignature properties (fast-check)', () => {
  it('accepts a signature in every accepted encoding', () => {
    fc.assert(
      fc.property(body, secret, (b, s) => {
        for (const header of Object.values(encodings(computeDigest(b, s)))) {
          expect(verifySignature(b, header, [s])).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('rejects the signature when any byte of the body changes', () => {
    fc.assert(
      fc.property(
        body.filter((b) => b.length > 0),
        secret,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (b, s, position, delta) => {
          const header = signBody(b, s);
          const changed = Buffer.from(b);
          const i = position % changed.length;
          changed[i] = (changed[i] + delta) % 256;
          expect(verifySignature(changed, header, [s])).toBe(false);
        },
      ),
      RUNS,
    );
  });

  it('rejects the signature when any byte of the digest changes, whatever the encoding', () => {
    fc.assert(
      fc.property(body, secret, fc.nat(31), fc.integer({ min: 1, max: 255 }), (b, s, i, delta) => {
        const digest = computeDigest(b, s);
        digest[i] = (digest[i] + delta) % 256;
        for (const header of Object.values(encodings(digest))) {
          expect(verifySignature(b, header, [s])).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('rejects the signature when any character of its text changes (other than hex case)', () => {
    const hexDigits = '0123456789abcdef';
    const b64Chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    fc.assert(
      fc.property(body, secret, fc.nat(), fc.nat(), fc.boolean(), (b, s, position, pick, useHex) => {
        const digest = computeDigest(b, s);
        const text = useHex ? digest.toString('hex') : digest.toString('base64');
        const alphabet = useHex ? hexDigits : b64Chars;
        const i = position % (useHex ? 64 : 43); // not the padding
        const others = alphabet.replace(text[i], '');
        const replacement = others[pick % others.length];
        const changed = text.slice(0, i) + replacement + text.slice(i + 1);
        expect(verifySignature(b, changed, [s])).toBe(false);
      }),
      RUNS,
    );
  });

  it('rejects every other last character of a base64 signature (its two padding bits included)', () => {
    const b64Chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    fc.assert(
      fc.property(body, secret, fc.boolean(), (b, s, padded) => {
        const text = computeDigest(b, s).toString('base64').slice(0, 43);
        for (const replacement of b64Chars.replace(text[42], '')) {
          const changed = `${text.slice(0, 42)}${replacement}${padded ? '=' : ''}`;
          expect(verifySignature(b, changed, [s])).toBe(false);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('rejects a signature made with another secret', () => {
    fc.assert(
      fc.property(body, secret, secret, (b, s, other) => {
        fc.pre(other !== s);
        expect(verifySignature(b, signBody(b, other), [s])).toBe(false);
        expect(verifySignature(b, signBody(b, other, { encoding: 'base64' }), [s])).toBe(false);
      }),
      RUNS,
    );
  });

  it('accepts when any of several signatures matches any active secret, and says which secret', () => {
    fc.assert(
      fc.property(
        body,
        fc.uniqueArray(secret, { minLength: 2, maxLength: 4 }),
        fc.nat(),
        fc.constantFrom(', ', ',', ' ', '\t'),
        (b, secrets, pick, separator) => {
          const signer = pick % secrets.length;
          // Noise: other secrets, junk, and a signature over other bytes (b + 'x': never b itself).
          const noise = [
            signBody(b, `${secrets[0]}-not`),
            'garbage',
            signBody(Buffer.concat([b, Buffer.from('x')]), secrets[0]),
          ];
          const header = [...noise, signBody(b, secrets[signer], { prefix: 'sha256=' })].join(separator);
          expect(matchSignature(b, header, secrets)).toBe(signer);
          expect(verifySignature(b, header, secrets.slice(signer, signer + 1))).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('never throws and only returns 32-byte digests for arbitrary header text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), body, (header, b) => {
        expect(typeof verifySignature(b, header, ['s'])).toBe('boolean');
        for (const digest of parseSignatureHeader(header)) expect(digest).toHaveLength(32);
      }),
      RUNS,
    );
  });
});

describe('parseSignatureHeader', () => {
  const digest = computeDigest(Buffer.from('body'), 'secret');
  const hex = digest.toString('hex');

  it.each([
    ['undefined', undefined],
    ['empty', ''],
    ['whitespace and commas only', ' , ,\t'],
    ['a prefix alone', 'sha256='],
    ['63 hex characters (truncated)', hex.slice(0, 63)],
    ['65 hex characters', `${hex}0`],
    ['64 characters with a non-hex one', `${hex.slice(0, 63)}g`],
    ['base64 of 31 bytes', digest.subarray(0, 31).toString('base64')],
    ['base64 of 33 bytes', Buffer.concat([digest, Buffer.from([1])]).toString('base64')],
    [
      'base64 with non-zero padding bits',
      digest.toString('base64').replace(/.=$/, (m) => `${nextB64(m[0])}=`),
    ],
    ['base64 mixing standard and URL-safe alphabets', mixedAlphabet(digest)],
    ['a different prefix', `sha1=${hex}`],
    ['a doubled prefix', `sha256=sha256=${hex}`],
  ])('yields nothing for %s', (_name, header) => {
    expect(parseSignatureHeader(header)).toEqual([]);
  });

  it('honours the accepted encodings', () => {
    const b64 = digest.toString('base64');
    expect(parseSignatureHeader(`${hex} ${b64}`, { encodings: ['hex'] })).toEqual([digest]);
    expect(parseSignatureHeader(`${hex} ${b64}`, { encodings: ['base64'] })).toEqual([digest]);
  });

  it('honours a custom prefix, and no prefix', () => {
    expect(parseSignatureHeader(`v1=${hex}`, { prefix: 'v1=' })).toEqual([digest]);
    expect(parseSignatureHeader(`V1=${hex}`, { prefix: 'v1=' })).toEqual([digest]);
    expect(parseSignatureHeader(`sha256=${hex}`, { prefix: '' })).toEqual([]);
    expect(parseSignatureHeader(hex, { prefix: '' })).toEqual([digest]);
  });
});

describe('matchSignature', () => {
  const b = Buffer.from('{"event":"call.completed"}');

  it('returns -1 without secrets or without signatures', () => {
    expect(matchSignature(b, signBody(b, 's'), [])).toBe(-1);
    expect(matchSignature(b, undefined, ['s'])).toBe(-1);
  });

  it('prefers the first secret when several match', () => {
    expect(matchSignature(b, signBody(b, 'same'), ['same', 'same'])).toBe(0);
    expect(matchSignature(b, signBody(b, 'old'), ['new', 'old'])).toBe(1);
  });
});

describe('getHeader', () => {
  it('matches in any case and tolerates missing headers', () => {
    expect(getHeader({ 'X-HAPP-Signature': 'a' }, 'x-happ-signature')).toBe('a');
    expect(getHeader({ 'x-happ-signature': 'b' }, 'X-Happ-Signature')).toBe('b');
    expect(getHeader({ other: 'c' }, 'x-happ-signature')).toBeUndefined();
    expect(getHeader(null, 'x-happ-signature')).toBeUndefined();
  });
});

function nextB64(c: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  return alphabet[(alphabet.indexOf(c) + 1) % 64];
}

/** A base64 digest whose text uses both alphabets: one '+' or '/' kept, another written URL-safe. */
function mixedAlphabet(seed: Buffer): string {
  for (let i = 0; ; i++) {
    const text = computeDigest(Buffer.concat([seed, Buffer.from(String(i))]), 'x')
      .toString('base64')
      .replace(/=$/, '');
    const positions = [...text].flatMap((c, at) => (c === '+' || c === '/' ? [at] : []));
    if (positions.length >= 2) {
      const at = positions[0];
      return text.slice(0, at) + (text[at] === '+' ? '-' : '_') + text.slice(at + 1);
    }
  }
}
