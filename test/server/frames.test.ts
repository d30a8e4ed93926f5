/** The gitway server's wire format (frames), how the CLI picks the command it forwards, and --idle-timeout durations. */
import { frame, frameReader, writeFrame, type FrameType } from '../../src/server/address.js';
import { commandOf } from '../../src/server/client.js';
import { idleSeconds } from '../../src/cli/commands/server.js';
import { UsageError } from '../../src/errors.js';

type Got = [FrameType, string];

/** A reader that collects whole frames (as text) and, for the sunk types, the pieces as they arrive. */
function collector(sunk: FrameType[] = []) {
  const frames: Got[] = [];
  const pieces: Got[] = [];
  const feed = frameReader(
    (type, payload) => frames.push([type, payload.toString('utf8')]),
    (type) => (sunk.includes(type) ? (piece) => pieces.push([type, piece.toString('utf8')]) : undefined),
  );
  return { feed, frames, pieces };
}

describe('frame', () => {
  it('is one type byte, a 4-byte big-endian payload length, then the payload bytes', () => {
    expect([...frame('o', 'hi')]).toEqual([0x6f, 0, 0, 0, 2, 0x68, 0x69]);
    expect([...frame('x', Buffer.from([1, 2, 3]))]).toEqual([0x78, 0, 0, 0, 3, 1, 2, 3]);
    expect([...frame('s', '')]).toEqual([0x73, 0, 0, 0, 0]);
  });

  it('counts the length in bytes, not characters', () => {
    const f = frame('e', 'é✔'); // 2 + 3 bytes
    expect(f.readUInt32BE(1)).toBe(5);
    expect(f.subarray(5).toString('utf8')).toBe('é✔');
  });

  it('writes lengths above 16 bits big-endian', () => {
    const big = 'a'.repeat(70_000);
    const f = frame('o', big);
    expect([...f.subarray(0, 5)]).toEqual([0x6f, 0, 1, 0x11, 0x70]);
    expect(f.length).toBe(70_005);
  });
});

describe('writeFrame', () => {
  it('writes the same bytes as frame(), with the byte length of multi-byte text', () => {
    const chunks: Buffer[] = [];
    const stream = { write: (chunk: string | Buffer, encoding?: BufferEncoding) => (chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk), true) };
    const text = 'gateway/é.yaml ✖ 1 problem\n';
    writeFrame(stream, 'o', text);
    writeFrame(stream, 'e', '');
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat([frame('o', text), frame('e', '')]));
  });
});

describe('frameReader', () => {
  const stream = Buffer.concat([frame('r', '{"kind":"status"}'), frame('o', 'out ✔\n'), frame('e', ''), frame('e', 'err\n'), frame('x', '{"code":1}')]);
  const expected: Got[] = [
    ['r', '{"kind":"status"}'],
    ['o', 'out ✔\n'],
    ['e', ''],
    ['e', 'err\n'],
    ['x', '{"code":1}'],
  ];

  it('reads several frames from one chunk, empty payloads included', () => {
    const c = collector();
    c.feed(stream);
    expect(c.frames).toEqual(expected);
  });

  it('reads the same frames whatever the chunking: one byte at a time, and split at every position', () => {
    const bytewise = collector();
    for (let i = 0; i < stream.length; i++) bytewise.feed(stream.subarray(i, i + 1));
    expect(bytewise.frames).toEqual(expected);
    for (let cut = 0; cut <= stream.length; cut++) {
      const c = collector();
      c.feed(stream.subarray(0, cut));
      c.feed(stream.subarray(cut));
      expect(c.frames).toEqual(expected);
    }
  });

  it('does not report a frame before all of its payload has arrived', () => {
    const c = collector();
    const f = frame('x', '{"code":0}');
    c.feed(f.subarray(0, 3)); // part of the header
    c.feed(f.subarray(3, 8)); // the rest of the header and some payload
    expect(c.frames).toEqual([]);
    c.feed(f.subarray(8));
    expect(c.frames).toEqual([['x', '{"code":0}']]);
  });

  it('hands the payload of sunk types to the sink piece by piece, and reports the frame with an empty payload', () => {
    const c = collector(['o', 'e']);
    const out = 'x'.repeat(1000);
    const bytes = Buffer.concat([frame('o', out), frame('x', '{"code":0}')]);
    for (let i = 0; i < bytes.length; i += 100) c.feed(bytes.subarray(i, i + 100));
    // the sink hears every byte, in order, in more than one piece
    expect(c.pieces.length).toBeGreaterThan(1);
    expect(c.pieces.every(([t]) => t === 'o')).toBe(true);
    expect(c.pieces.map(([, p]) => p).join('')).toBe(out);
    // the frame itself is reported when it is complete, without the payload (never joined)
    expect(c.frames).toEqual([
      ['o', ''],
      ['x', '{"code":0}'],
    ]);
  });

  it('gives the sink multi-byte characters split across pieces as raw bytes (the client writes bytes, not text)', () => {
    const pieces: Buffer[] = [];
    const feed = frameReader(
      () => undefined,
      () => (piece) => pieces.push(Buffer.from(piece)),
    );
    const f = frame('o', '✔✔');
    for (let i = 0; i < f.length; i++) feed(f.subarray(i, i + 1));
    expect(Buffer.concat(pieces).toString('utf8')).toBe('✔✔');
  });
});

describe('commandOf', () => {
  it.each<[string[], string | undefined]>([
    [['lint'], 'lint'],
    [['lint', '--staged', '--quiet'], 'lint'],
    [['--quiet', '--no-color', '--debug', 'lint'], 'lint'],
    [['--env', 'prod', 'lint'], 'lint'],
    [['--env=prod', 'lint'], 'lint'],
    [['-C', 'lint', 'validate'], 'validate'],
    [['--cwd', 'sub', 'lint'], 'lint'],
    [['-c', 'gitway.yaml', 'lint'], 'lint'],
    [['--config', 'lint', 'plan'], 'plan'],
    [['-f', 'json', 'lint'], 'lint'],
    [['--format', 'lint', 'validate'], 'validate'],
    [['-o', 'out.json', 'lint'], 'lint'],
    [['--output', 'lint', 'validate'], 'validate'],
    [['validate', 'lint'], 'validate'],
    [['server', 'start'], 'server'],
    [['--', 'lint'], 'lint'],
    [['--version'], undefined],
    [[], undefined],
  ])('%j -> %s', (argv, command) => {
    expect(commandOf(argv)).toBe(command);
  });
});

describe('idleSeconds (--idle-timeout)', () => {
  it.each<[string, number]>([
    ['90s', 90],
    ['30m', 1800],
    ['2h', 7200],
    ['576h', 576 * 3600],
    ['1.5m', 90],
    ['0.5h', 1800],
    [' 10s ', 10],
    ['10 s', 10],
  ])('%j is %d seconds', (text, seconds) => {
    expect(idleSeconds(text)).toBe(seconds);
  });

  it.each(['45', '0', '0s', '0.0m', '-5s', '5d', '5ms', '577h', '600h', 'abc', '', 's'])('refuses %j with a usage error (exit 3) quoting it', (text) => {
    let error: unknown;
    try {
      idleSeconds(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(3);
    expect((error as UsageError).message).toBe(`--idle-timeout must be a duration from 1s to 24 days, such as 90s, 30m or 2h, not '${text}'`);
  });
});
