/**
 * Turns an envelope's payload into what the user's function receives: inline payloads are decoded
 * according to `payloadEncoding`; claim-checked payloads are read from S3 and checked against the
 * size and SHA-256 the verifier recorded before they are decoded.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isClaimChecked, type HappEnvelope, type PayloadLocation } from '../shared/envelope';
import { PayloadFetchError, PayloadIntegrityError } from './errors';

/**
 * How the payload reached you: `json` = the parsed JSON body; `text` = the body was not JSON, you
 * get the raw text; `binary` = the body was not valid UTF-8, you get a Buffer of its bytes.
 */
export type PayloadFormat = 'json' | 'text' | 'binary';

export interface DecodedPayload {
  readonly payload: unknown;
  readonly format: PayloadFormat;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes the raw bytes of a delivery the way the verifier decodes inline bodies: JSON when the
 * UTF-8 text parses (a leading byte-order mark tolerated), else the text, else the bytes.
 */
export function decodeBytes(bytes: Uint8Array): DecodedPayload {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { payload: Buffer.from(bytes), format: 'binary' };
  }
  try {
    return { payload: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text), format: 'json' };
  } catch {
    return { payload: text, format: 'text' };
  }
}

/** Decodes an inline envelope's payload (already validated by parseEnvelope). */
export function decodeInline(
  payload: unknown,
  encoding: 'json' | 'text' | 'base64' | undefined,
): DecodedPayload {
  switch (encoding) {
    case 'text':
      return { payload, format: 'text' };
    case 'base64':
      return { payload: Buffer.from(payload as string, 'base64'), format: 'binary' };
    default:
      return { payload, format: 'json' };
  }
}

/** Reads a claim-checked body from S3 and verifies its size and SHA-256. */
export async function fetchClaimChecked(s3: S3Client, location: PayloadLocation): Promise<Buffer> {
  const where = `s3://${location.bucket}/${location.key}`;
  let bytes: Buffer;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    if (!out.Body) throw new Error('empty response body');
    bytes = Buffer.from(await out.Body.transformToByteArray());
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new PayloadFetchError(`could not read claim-checked payload ${where} (${reason})`, {
      cause: error,
    });
  }
  if (bytes.length !== location.size) {
    throw new PayloadIntegrityError(
      `claim-checked payload ${where} has ${bytes.length} bytes, the envelope says ${location.size}`,
    );
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== location.sha256.toLowerCase()) {
    throw new PayloadIntegrityError(
      `claim-checked payload ${where} has SHA-256 ${sha256}, the envelope says ${location.sha256}`,
    );
  }
  return bytes;
}

/** The payload of any envelope, fetching it from S3 when it was claim-checked. */
export async function resolvePayload(envelope: HappEnvelope, s3: () => S3Client): Promise<DecodedPayload> {
  if (isClaimChecked(envelope)) {
    return decodeBytes(await fetchClaimChecked(s3(), envelope.payloadLocation));
  }
  return decodeInline(envelope.payload, envelope.payloadEncoding);
}
