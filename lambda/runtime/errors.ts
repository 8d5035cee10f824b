/**
 * Errors the subscriber runtime raises. Each one fails only the SQS record it belongs to: the
 * message returns to the queue and, after the queue's `maxReceiveCount`, lands in its DLQ.
 * Messages never contain payloads.
 */
import { ENVELOPE_VERSION } from '../shared/envelope';

export { MissingConfigurationError } from '../shared/env';

/** Base class of every error the runtime helper raises itself. */
export class HappRuntimeError extends Error {
  public override readonly name: string = 'HappRuntimeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The SQS message body is not a Happ envelope (not JSON, or a field is missing or of the wrong type). */
export class MalformedEnvelopeError extends HappRuntimeError {
  public override readonly name: string = 'MalformedEnvelopeError';
}

/**
 * The envelope names a format `version` this helper does not know (written by a newer verifier):
 * the record fails (and is parked in the DLQ) rather than being misread. Upgrade the subscriber's
 * `cdk-happ-webhooks`, then redrive.
 */
export class UnsupportedEnvelopeVersionError extends MalformedEnvelopeError {
  public override readonly name = 'UnsupportedEnvelopeVersionError';
  constructor(public readonly version: unknown) {
    super(
      `envelope version ${JSON.stringify(version)} is not supported by this runtime helper (it reads version ${ENVELOPE_VERSION}); upgrade cdk-happ-webhooks in this subscriber, then redrive its DLQ`,
    );
  }
}

/** A claim-checked payload could not be read from S3 (missing object, access denied, network). */
export class PayloadFetchError extends HappRuntimeError {
  public override readonly name = 'PayloadFetchError';
}

/** A claim-checked payload was read but its size or SHA-256 differs from what the envelope promises. */
export class PayloadIntegrityError extends HappRuntimeError {
  public override readonly name = 'PayloadIntegrityError';
}

/** An option given to `happHandler` is invalid (raised when the handler is created, not per record). */
export class InvalidHandlerOptionError extends HappRuntimeError {
  public override readonly name = 'InvalidHandlerOptionError';
}
