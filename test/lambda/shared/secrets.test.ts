import { formatSecretValue, MalformedSecretError, parseSecretValue } from '../../../lambda/shared/secrets';

describe('parseSecretValue', () => {
  it('takes a plain string as the only secret, exactly as stored', () => {
    expect(parseSecretValue('s3cr3t')).toEqual(['s3cr3t']);
  });

  it('verifies a plain secret stored with a trailing newline both trimmed (first) and as stored', () => {
    expect(parseSecretValue('s3cr3t\n')).toEqual(['s3cr3t', 's3cr3t\n']);
    expect(parseSecretValue(' padded ')).toEqual(['padded', ' padded ']);
  });

  it('takes a rotation state as current first, then previous', () => {
    expect(parseSecretValue('{"current":"new","previous":["old","older"]}')).toEqual(['new', 'old', 'older']);
    expect(parseSecretValue('{"current":"only"}')).toEqual(['only']);
  });

  it('round-trips formatSecretValue', () => {
    const value = { current: 'a', previous: ['b'] };
    expect(parseSecretValue(formatSecretValue(value))).toEqual(['a', 'b']);
  });

  it.each([
    ['undefined', undefined, /empty/],
    ['an empty string', '', /empty/],
    ['blanks', '  \n', /empty/],
    ['broken JSON', '{"current": "x"', /not valid JSON/],
    ['JSON without current', '{"previous":["x"]}', /"current"/],
    ['an empty current', '{"current":""}', /"current"/],
    ['a non-string current', '{"current":42}', /"current"/],
    ['previous not an array', '{"current":"a","previous":"b"}', /"previous"/],
    ['an empty previous entry', '{"current":"a","previous":[""]}', /"previous"/],
  ])('fails clearly on %s', (_name, value, message) => {
    expect(() => parseSecretValue(value)).toThrow(MalformedSecretError);
    expect(() => parseSecretValue(value)).toThrow(message);
  });

  it('never quotes the value in its error', () => {
    for (const value of ['{"current": "leaky-secret"', '{"current":"","previous":["leaky-secret"]}']) {
      expect(() => parseSecretValue(value)).toThrow(MalformedSecretError);
      expect(() => parseSecretValue(value)).not.toThrow(/leaky-secret/);
    }
  });
});
