import { S3Client } from '@aws-sdk/client-s3';
import { PayloadFetchError, PayloadIntegrityError } from '../../../lambda/runtime';
import {
  decodeBytes,
  decodeInline,
  fetchClaimChecked,
  resolvePayload,
} from '../../../lambda/runtime/payload';
import type { ClaimCheckedEnvelope } from '../../../lambda/shared/envelope';
import { claimChecked, createBucket, envelope } from './factories';

describe('decoding payloads', () => {
  it('parses JSON bytes', () => {
    expect(decodeBytes(Buffer.from('{"event":"call.completed","n":[1,2]}'))).toEqual({
      payload: { event: 'call.completed', n: [1, 2] },
      format: 'json',
    });
  });

  it('keeps UTF-8 text that is not JSON as a string', () => {
    expect(decodeBytes(Buffer.from('héllo, not json'))).toEqual({
      payload: 'héllo, not json',
      format: 'text',
    });
  });

  it('keeps bytes that are not UTF-8 as a Buffer', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    const decoded = decodeBytes(bytes);
    expect(decoded.format).toBe('binary');
    expect(Buffer.compare(decoded.payload as Buffer, bytes)).toBe(0);
  });

  it('decodes inline payloads by their encoding', () => {
    expect(decodeInline({ a: 1 }, undefined)).toEqual({ payload: { a: 1 }, format: 'json' });
    expect(decodeInline({ a: 1 }, 'json')).toEqual({ payload: { a: 1 }, format: 'json' });
    expect(decodeInline('plain', 'text')).toEqual({ payload: 'plain', format: 'text' });
    const binary = decodeInline(Buffer.from([0xff, 0x00]).toString('base64'), 'base64');
    expect(binary.format).toBe('binary');
    expect([...(binary.payload as Buffer)]).toEqual([0xff, 0x00]);
  });
});

describe('claim-checked payloads (fauxqs S3)', () => {
  const s3 = new S3Client({});
  let bucket: string;
  beforeAll(async () => {
    bucket = await createBucket(s3);
  });
  afterAll(() => s3.destroy());

  it('reads the object, checks it and decodes it', async () => {
    const body = Buffer.from(JSON.stringify({ event: 'call.completed', transcript: 'x'.repeat(300_000) }));
    const env = await claimChecked(bucket, body);
    const decoded = await resolvePayload(env, () => s3);
    expect(decoded.format).toBe('json');
    expect((decoded.payload as { transcript: string }).transcript).toHaveLength(300_000);
  });

  it('returns the exact bytes', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const env = (await claimChecked(bucket, bytes)) as ClaimCheckedEnvelope;
    expect(Buffer.compare(await fetchClaimChecked(s3, env.payloadLocation), bytes)).toBe(0);
  });

  it('fails when the size differs', async () => {
    const env = (await claimChecked(bucket, Buffer.from('abc'), { size: 4 })) as ClaimCheckedEnvelope;
    await expect(fetchClaimChecked(s3, env.payloadLocation)).rejects.toThrow(PayloadIntegrityError);
    await expect(fetchClaimChecked(s3, env.payloadLocation)).rejects.toThrow(
      /has 3 bytes, the envelope says 4/,
    );
  });

  it('fails when the SHA-256 differs', async () => {
    const env = (await claimChecked(bucket, Buffer.from('abc'), {
      sha256: '0'.repeat(64),
    })) as ClaimCheckedEnvelope;
    await expect(fetchClaimChecked(s3, env.payloadLocation)).rejects.toThrow(
      /has SHA-256 ba7816bf[0-9a-f]+, the envelope says 0{64}/,
    );
  });

  it('fails with PayloadFetchError when the object is missing', async () => {
    const env = (await claimChecked(bucket, Buffer.from('abc'))) as ClaimCheckedEnvelope;
    const missing = { ...env.payloadLocation, key: 'payloads/does-not-exist' };
    await expect(fetchClaimChecked(s3, missing)).rejects.toThrow(PayloadFetchError);
    await expect(fetchClaimChecked(s3, missing)).rejects.toThrow(
      /could not read claim-checked payload s3:\/\/.*does-not-exist/,
    );
  });

  it('does not touch S3 for inline payloads', async () => {
    const neverCalled = jest.fn();
    await expect(resolvePayload(envelope(), neverCalled)).resolves.toMatchObject({ format: 'json' });
    expect(neverCalled).not.toHaveBeenCalled();
  });
});

describe('decoding like the verifier', () => {
  it('tolerates a byte-order mark before JSON', () => {
    expect(decodeBytes(Buffer.from('\ufeff{"a":1}'))).toEqual({ payload: { a: 1 }, format: 'json' });
  });

  it('keeps blank bodies as text', () => {
    expect(decodeBytes(Buffer.from('  '))).toEqual({ payload: '  ', format: 'text' });
  });
});
