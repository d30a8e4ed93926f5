/**
 * Where a gitway server listens, and the wire format between it and the CLI. Loaded by bin/gitway.js
 * before anything else (every `gitway lint` asks whether a server runs), so it uses node's built-in
 * modules only.
 *
 * One server per user and per gitway build: the socket's name is a hash of this installation's
 * folder, version and build time, so another installation, an upgrade or a rebuild never talks to a
 * server running older code. The socket lives in a folder only its user can open
 * ($XDG_RUNTIME_DIR/gitway, else $TMPDIR/gitway-UID; GITWAY_SERVER_DIR overrides), because requests
 * carry the environment (secrets of `${env.NAME}` among it).
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/**
 * This build of gitway: changes with the installation folder, the version and every file of the
 * build (count, sizes, latest change): a `tsc -w` that rewrites one file changes it too.
 */
export function buildStamp(): string {
  const version = (JSON.parse(readFileSync(path.join(distDir, '..', 'package.json'), 'utf8')) as { version: string }).version;
  let files = 0;
  let bytes = 0;
  let latest = 0;
  try {
    for (const entry of readdirSync(distDir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const st = statSync(path.join(entry.parentPath ?? entry.path, entry.name));
      files++;
      bytes += st.size;
      latest = Math.max(latest, st.mtimeMs);
    }
  } catch {
    // running from sources
  }
  return `${distDir}\u0000${version}\u0000${files}:${bytes}:${latest}`;
}

export interface ServerAddress {
  /** The folder of sockets and logs (absent for a Windows pipe). */
  dir: string;
  socket: string;
  log: string;
}

export function serverAddress(env: NodeJS.ProcessEnv = process.env): ServerAddress {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const dir = env.GITWAY_SERVER_DIR ? path.resolve(env.GITWAY_SERVER_DIR) : env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'gitway') : path.join(os.tmpdir(), `gitway-${uid}`);
  const name = createHash('sha256').update(buildStamp()).digest('hex').slice(0, 16);
  const socket = process.platform === 'win32' ? `\\\\.\\pipe\\gitway-${uid}-${name}` : path.join(dir, `${name}.sock`);
  return { dir, socket, log: path.join(dir, `${name}.log`) };
}

/**
 * True when the folder belongs to this user and nobody else may enter it, and is not a symbolic
 * link: otherwise another user could have put a socket there that collects the environment of
 * every lint.
 */
export function dirIsPrivate(dir: string): boolean {
  if (process.platform === 'win32') return true;
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === process.getuid!() && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** True when the socket is this user's (in a private folder, only a server of this user can have made it). */
export function socketIsOurs(socket: string): boolean {
  if (process.platform === 'win32') return true;
  try {
    const st = lstatSync(socket);
    return st.isSocket() && st.uid === process.getuid!();
  } catch {
    return false;
  }
}

/**
 * Frames on the socket: one type byte, a 4-byte big-endian length, the payload. `r` a request
 * (JSON), `a` the server took it (it runs now), `o` stdout bytes, `e` stderr bytes, `x` the end of
 * a request (JSON: exit code, or `stale`/`busy` for the client to run the command itself), `s` a
 * status (JSON).
 */
export type FrameType = 'r' | 'a' | 'o' | 'e' | 'x' | 's';

export function frame(type: FrameType, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([head(type, body.length), body]);
}

/** A frame's first five bytes. */
function head(type: FrameType, size: number): Buffer {
  const bytes = Buffer.alloc(5);
  bytes.write(type, 0, 'latin1');
  bytes.writeUInt32BE(size, 1);
  return bytes;
}

/** Writes a frame of text, encoded once (outputs run to tens of MB: no further copy). */
export function writeFrame(stream: { write(chunk: Buffer): boolean }, type: FrameType, text: string): void {
  const body = Buffer.from(text);
  stream.write(head(type, body.length));
  stream.write(body);
}

/**
 * Feeds socket data in, calls `onFrame` for every complete frame. The payload of a type that
 * `sink` takes (the outputs, up to tens of MB) goes to the sink piece by piece as it arrives,
 * never joined.
 */
export function frameReader(onFrame: (type: FrameType, payload: Buffer) => void, sink?: (type: FrameType) => ((piece: Buffer) => void) | undefined): (chunk: Buffer) => void {
  let header = Buffer.alloc(0);
  /** The frame being read: its type, bytes still to come, and the pieces kept (when not sunk). */
  let current: { type: FrameType; left: number; to?: (piece: Buffer) => void; pieces: Buffer[] } | undefined;
  return (chunk) => {
    let at = 0;
    while (at < chunk.length) {
      if (!current) {
        const need = 5 - header.length;
        header = Buffer.concat([header, chunk.subarray(at, at + need)]);
        at += Math.min(need, chunk.length - at);
        if (header.length < 5) return;
        const type = header.toString('latin1', 0, 1) as FrameType;
        current = { type, left: header.readUInt32BE(1), to: sink?.(type), pieces: [] };
        header = Buffer.alloc(0);
      }
      const piece = chunk.subarray(at, at + current.left);
      at += piece.length;
      current.left -= piece.length;
      if (piece.length) {
        if (current.to) current.to(piece);
        else current.pieces.push(piece);
      }
      if (current.left === 0) {
        const done = current;
        current = undefined;
        onFrame(done.type, done.to ? Buffer.alloc(0) : Buffer.concat(done.pieces));
      }
    }
  };
}

/** What the CLI sends to run a command in the server. */
export interface RunRequest {
  kind: 'run';
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  /** The caller's file mode creation mask (files a command writes get the caller's modes). */
  umask: number;
}

export type Request = RunRequest | { kind: 'status' } | { kind: 'stop' };

export interface ServerStatus {
  pid: number;
  version: string;
  startedAt: string;
  idleTimeoutS: number;
  /** Commands served so far. */
  served: number;
  rssBytes: number;
  /** Worker threads kept loaded (lint workers hold Spectral and a ruleset). */
  workers: number;
}
