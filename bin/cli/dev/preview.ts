/**
 * How `dev` shows an event's payload when it prints each event: a readable preview (the first
 * PREVIEW_LINES lines, at most PREVIEW_CHARS characters, saying how much was left out), everything
 * with `--full`, and a binary body as its size and SHA-256 (its bytes as base64 with `--full`).
 */
import { createHash } from 'node:crypto';

export const PREVIEW_LINES = 20;
export const PREVIEW_CHARS = 2000;

export function payloadText(payload: unknown, full = false): string {
  if (Buffer.isBuffer(payload) || payload instanceof Uint8Array) {
    const bytes = Buffer.from(payload);
    const summary = `<binary payload: ${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}>`;
    return full ? `${summary}\nbase64 ${bytes.toString('base64')}` : summary;
  }
  const text = typeof payload === 'string' ? payload : (JSON.stringify(payload, null, 2) ?? String(payload));
  if (full) return text;
  const lines = text.split('\n');
  let shown = lines.slice(0, PREVIEW_LINES).join('\n');
  if (shown.length > PREVIEW_CHARS) shown = shown.slice(0, PREVIEW_CHARS);
  if (shown.length === text.length) return text;
  const bytes = Buffer.byteLength(text);
  const moreLines = lines.length - shown.split('\n').length;
  const left =
    moreLines > 0
      ? `${moreLines} more line${moreLines === 1 ? '' : 's'}`
      : `${text.length - shown.length} more characters`;
  return `${shown}…\n… ${left}, ${bytes} bytes in all (--full prints everything)`;
}
