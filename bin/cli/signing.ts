/** The signing scheme options shared by `sign` and `send` (Happ-style by default). */
import { DEFAULTS } from '../../lambda/shared/env';
import { SIGNATURE_ENCODINGS, signBody, type SignatureEncoding } from '../../lambda/shared/signature';
import { CliError } from './errors';

export interface SigningOptions {
  /** Header name. Default `x-happ-signature`. */
  readonly header?: string;
  /** `hex` (default) or `base64`. */
  readonly encoding?: string;
  /** Text before the signature, e.g. `sha256=`. Default none. */
  readonly prefix?: string;
}

export interface Signature {
  readonly header: string;
  readonly value: string;
  readonly encoding: SignatureEncoding;
}

const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function signWith(body: Buffer, secret: string, options: SigningOptions): Signature {
  const header = options.header ?? DEFAULTS.signatureHeader;
  if (!HEADER_NAME_RE.test(header))
    throw new CliError(`--header "${header}" is not a valid HTTP header name`);
  const encoding = (options.encoding ?? 'hex') as SignatureEncoding;
  if (!SIGNATURE_ENCODINGS.includes(encoding)) {
    throw new CliError(
      `--encoding must be one of ${SIGNATURE_ENCODINGS.join(', ')} (given "${options.encoding}")`,
    );
  }
  return { header, encoding, value: signBody(body, secret, { encoding, prefix: options.prefix ?? '' }) };
}
