/** `happ-webhooks sign`: prints the signature header Happ would send with a body (for curl). */
import { loadBody, type BodyOptions } from './body';
import { printJson, type Io } from './io';
import { resolveSigningSecret, type SecretOptions } from './secret';
import { signWith, type SigningOptions } from './signing';

export interface SignOptions extends SecretOptions, BodyOptions, SigningOptions {
  readonly json?: boolean;
}

export async function sign(options: SignOptions, io: Io): Promise<number> {
  const body = await loadBody(options, io, { allowSample: false });
  const secret = await resolveSigningSecret(options, io, options.json);
  const signature = signWith(body.bytes, secret.value, options);
  if (options.json) {
    printJson(io, {
      header: signature.header,
      signature: signature.value,
      encoding: signature.encoding,
      bytes: body.bytes.length,
      body: body.origin,
      secret: secret.from,
    });
  } else {
    io.out(`${signature.header}: ${signature.value}\n`);
  }
  return 0;
}
