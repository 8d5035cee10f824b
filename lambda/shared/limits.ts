/**
 * Limits of the path a webhook takes, and the rules the construct checks at synth with the same numbers
 * the Lambda code uses. Pure: no AWS calls.
 */

/** Lambda's limit for a synchronous invocation's request payload (the API Gateway event, as JSON). */
export const LAMBDA_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;

/**
 * Room left in that payload for the event around the body: headers (API Gateway allows 10,240 bytes of
 * request line and headers; a REST proxy event carries them twice, in `headers` and
 * `multiValueHeaders`, JSON-escaped), `requestContext`, path and query. Measured by
 * `test/lambda/shared/limits.test.ts` on a REST proxy event and an HTTP API 2.0 event with 10 KB of
 * headers: both stay below it.
 */
export const API_EVENT_OVERHEAD_BYTES = 32 * 1024;

/**
 * The largest raw body that reaches the verifier through the REST API: every body arrives base64
 * (every media type is binary on the REST API, 4 bytes per 3), inside the 6 MB invoke payload with the event around it.
 * Larger bodies are answered by API Gateway itself (the invocation fails before the function runs).
 */
export const MAX_DELIVERABLE_BODY_BYTES =
  Math.floor((LAMBDA_SYNC_PAYLOAD_BYTES - API_EVENT_OVERHEAD_BYTES) / 4) * 3;

/** Bounds of the verifier's response budget: Happ waits 5 s; API Gateway at most 29 s. */
export const RESPONSE_BUDGET_RANGE = { min: 500, max: 25_000 } as const;

/** Bounds of maxEventAge (seconds): a minute to a year. */
export const MAX_EVENT_AGE_RANGE = { min: 60, max: 365 * 24 * 60 * 60 } as const;

/** Bounds of maxClockSkew (seconds): 0 to an hour. */
export const MAX_CLOCK_SKEW_RANGE = { min: 0, max: 60 * 60 } as const;

/**
 * True when no captured signed request can ever be accepted twice: a delivery accepted at time t has an
 * event time ≥ t − skew, its dedupe record lives until t + window, and after that it is accepted again
 * only while its event time ≥ now − maxAge, i.e. only if window ≤ maxAge + skew (both ends of the
 * freshness range are inclusive). So the window is closed exactly when maxAge + skew < window.
 */
export function replayWindowClosed(
  maxEventAgeSeconds: number,
  maxClockSkewSeconds: number,
  dedupeWindowSeconds: number,
): boolean {
  return maxEventAgeSeconds + maxClockSkewSeconds < dedupeWindowSeconds;
}
