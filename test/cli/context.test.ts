import { redact } from '../../src/cli/context.js';
import { renderError } from '../../src/cli/errors.js';
import { ConfigError, TreeReadError } from '../../src/errors.js';

describe('redact', () => {
  it('replaces every secret, longest first, also once or twice JSON-quoted', () => {
    const secrets = ['abc', 'abcdef', 'q"u\\ote'];
    expect(redact('token abcdef and abc', secrets)).toBe('token (sensitive) and (sensitive)');
    const message = `value ${JSON.stringify('q"u\\ote')} is not valid`;
    expect(redact(message, secrets)).toBe('value "(sensitive)" is not valid');
    expect(redact(JSON.stringify({ message }), secrets)).not.toContain('ote');
  });

  it('leaves values shorter than 3 characters alone', () => {
    expect(redact('a b ab', ['a', 'ab'])).toBe('a b ab');
  });
});

describe('renderError', () => {
  it('joins message and hint into one paragraph without mangling paths', () => {
    const r = renderError(new TreeReadError('../x.yaml', '../x.yaml is outside the repository', 'Keep every file gitway reads inside the repository.'), false);
    expect(r).toEqual({ message: 'gitway: ../x.yaml is outside the repository. Keep every file gitway reads inside the repository.', exitCode: 3 });
    expect(renderError(new ConfigError('no gitway.yaml in /repo.'), false).message).toBe('gitway: no gitway.yaml in /repo.');
  });

  it('adds the stack only with --debug', () => {
    const err = new ConfigError('broken', 'Fix it');
    expect(renderError(err, false).message).not.toMatch(/\n\s+at /);
    expect(renderError(err, true).message).toMatch(/^gitway: broken\. Fix it\.\nConfigError: broken\n\s+at /);
  });

  it('calls anything else a likely bug, on one line', () => {
    const r = renderError(new RangeError('first line\nsecond line'), false);
    expect(r.message).toBe('gitway: unexpected error: first line. This is likely a bug in gitway; run again with --debug for details and report it.');
    expect(renderError('a thrown string', false).message).toContain('unexpected error: a thrown string.');
  });
});
