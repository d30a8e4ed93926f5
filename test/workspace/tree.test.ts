import { TreeReadError } from '../../src/errors.js';
import { looksBinary, toTreePath } from '../../src/workspace/tree.js';

describe('toTreePath', () => {
  it.each([
    ['gateway/a.yaml', 'gateway/a.yaml'],
    ['./gateway/a.yaml', 'gateway/a.yaml'],
    ['gateway//a.yaml', 'gateway/a.yaml'],
    ['gateway/./a.yaml', 'gateway/a.yaml'],
    ['apis/x/../a.yaml', 'apis/a.yaml'],
    ['gateway\\win\\a.yaml', 'gateway/win/a.yaml'],
    ['.', ''],
    ['./', ''],
    ['a/..', ''],
    ['..a/b', '..a/b'],
    ['a/..b', 'a/..b'],
  ])('normalises %j to %j', (input, expected) => {
    expect(toTreePath(input)).toBe(expected);
  });

  it.each(['..', '../outside.yaml', '../../etc/passwd', 'apis/../../x.yaml', 'a/b/../../../c', '..\\x.yaml', '/etc/passwd', '/', 'C:/Windows/x', 'c:\\x.yaml', 'D:/'])('refuses %j as outside the repository', (input) => {
    let error: unknown;
    try {
      toTreePath(input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TreeReadError);
    expect((error as TreeReadError).exitCode).toBe(3);
    expect((error as TreeReadError).message).toContain('outside the repository');
    expect((error as TreeReadError).message).toContain(input);
  });
});

describe('looksBinary', () => {
  it('is true for a NUL in the first 8 KiB only', () => {
    expect(looksBinary(Buffer.from('a: 1\n'))).toBe(false);
    expect(looksBinary(Buffer.from([0x61, 0x00, 0x62]))).toBe(true);
    expect(looksBinary(Buffer.concat([Buffer.alloc(8192, 0x61), Buffer.from([0])]))).toBe(false);
    expect(looksBinary(Buffer.alloc(0))).toBe(false);
    expect(looksBinary(Buffer.from('é ü 日本', 'utf8'))).toBe(false);
  });
});
