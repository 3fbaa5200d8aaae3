// A minimal RFB (VNC) client for tests, written from RFC 6143: version handshake, security-type
// list, VNC Authentication (type 2), ClientInit/ServerInit. Nothing past ServerInit: no
// framebuffer requests, no input. Every operation has one overall deadline (timeoutMs) that bounds
// the connect and each read; on expiry the socket is destroyed and the error says what it was
// waiting for.
//
// Beware TigerVNC's blacklist when polling a server with these: each connection that closes before
// a successful authentication (rfbHandshake() always does; so does a wrong password or a bare TCP
// connect) counts as a failure, and after 5 (BlacklistThreshold) the address gets zero security
// types and the reason 'Too many security failures' for 10 s and more (BlacklistTimeout, doubling).
// Poll readiness with vncAuthenticate() and the right password (success clears the count), or few
// handshakes, or relax the server's -BlacklistThreshold.

import { connect, type Socket } from 'node:net';
import { desEncryptEcb } from './des.ts';

export const DEFAULT_RFB_TIMEOUT_MS = 10_000;

/** Security type numbers from RFC 6143 §7.1.2 (and the IANA registry). */
export const SecurityType = {
  Invalid: 0,
  None: 1,
  VncAuthentication: 2,
  /** TigerVNC / VeNCrypt (TLS, X509, Plain…). */
  VeNCrypt: 19,
} as const;

/** Longest reason / desktop name we accept, so a hostile or broken peer cannot make us allocate gigabytes. */
const MAX_STRING_BYTES = 64 * 1024;

export interface RfbTarget {
  host: string;
  port: number;
  /** Deadline for the whole operation (connect + every read). Default 10 000 ms. */
  timeoutMs?: number;
}

export interface RfbHandshakeResult {
  /** The server's ProtocolVersion without the newline, e.g. 'RFB 003.008'. */
  serverVersion: string;
  /** The version this client answered with, e.g. 'RFB 003.008'. */
  clientVersion: string;
  /** Security types offered (3.7/3.8: the list; 3.3: the one type the server chose). Empty when the server refused. */
  securityTypes: number[];
  /** When the server sent no security types (or type 0 in 3.3), the reason it gave. */
  reason?: string;
  /** Connect + version + security list, in milliseconds. */
  elapsedMs: number;
}

export interface RfbPixelFormat {
  bitsPerPixel: number;
  depth: number;
  bigEndian: boolean;
  trueColour: boolean;
  redMax: number;
  greenMax: number;
  blueMax: number;
  redShift: number;
  greenShift: number;
  blueShift: number;
}

export interface VncAuthOptions extends RfbTarget {
  /** Only the first 8 bytes (UTF-8) count, as in every VNC implementation. */
  password: string;
  /** ClientInit shared-flag. Default true (1): do not disconnect other viewers. */
  shared?: boolean;
}

/**
 * Outcome of VNC Authentication. `ok: false` means the server answered and refused (wrong password,
 * no VNC auth offered, blacklisted…), with its reason; network failures, timeouts and protocol
 * violations throw instead. width/height/name/pixelFormat are set when ok.
 */
export interface VncAuthResult {
  ok: boolean;
  reason?: string;
  serverVersion: string;
  securityTypes: number[];
  width?: number;
  height?: number;
  name?: string;
  pixelFormat?: RfbPixelFormat;
  /** From connect to SecurityResult (failure) or to ServerInit (success), in milliseconds. */
  elapsedMs: number;
}

/** Reverses the bit order of one byte (VNC's DES key quirk: d3des takes key bits LSB first). */
export function reverseBits(byte: number): number {
  let out = 0;
  for (let i = 0; i < 8; i++) out |= ((byte >> i) & 1) << (7 - i);
  return out;
}

/** The DES key VNC derives from a password: first 8 UTF-8 bytes, NUL padded, each byte bit-reversed. */
export function vncPasswordKey(password: string): Buffer {
  const key = Buffer.alloc(8);
  Buffer.from(password, 'utf8').copy(key, 0, 0, 8);
  for (let i = 0; i < 8; i++) key[i] = reverseBits(key[i]!);
  return key;
}

/** The 16-byte response to a VNC Authentication challenge (two DES-ECB blocks). */
export function vncAuthResponse(password: string, challenge: Uint8Array): Buffer {
  if (challenge.length !== 16) throw new RangeError(`VNC challenge must be 16 bytes, got ${challenge.length}`);
  return desEncryptEcb(vncPasswordKey(password), challenge);
}

/**
 * What `vncpasswd -f` writes for a password: the padded password DES-encrypted with VNC's fixed
 * obfuscation key (same bit-reversal quirk). Lets a test check a generated passwd file offline.
 */
export function vncObfuscatePassword(password: string): Buffer {
  const fixedKey = Buffer.from([23, 82, 107, 6, 35, 78, 88, 7].map(reverseBits));
  const block = Buffer.alloc(8);
  Buffer.from(password, 'utf8').copy(block, 0, 0, 8);
  return desEncryptEcb(fixedKey, block);
}

/** A socket plus a byte queue whose reads all share one deadline. */
class RfbStream {
  private buffered = Buffer.alloc(0);
  private pending: { size: number; what: string; resolve: (bytes: Buffer) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly started = Date.now();
  private waitingFor = 'the TCP connection';
  private readonly socket: Socket;
  private readonly label: string;

  private constructor(socket: Socket, label: string, timeoutMs: number) {
    this.socket = socket;
    this.label = label;
    this.timer = setTimeout(() => {
      const got = this.pending ? `, got ${this.buffered.length} of ${this.pending.size} bytes` : '';
      this.fail(new Error(`${label}: timed out after ${timeoutMs} ms waiting for ${this.waitingFor}${got}`));
    }, timeoutMs);
    this.timer.unref();
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.deliver();
    });
    socket.on('error', (error) => this.fail(new Error(`${label}: ${error.message} (while waiting for ${this.waitingFor})`, { cause: error })));
    socket.on('close', () => {
      const got = this.pending ? ` (got ${this.buffered.length} of ${this.pending.size} bytes)` : '';
      this.fail(new Error(`${label}: server closed the connection while waiting for ${this.waitingFor}${got}`));
    });
  }

  static async open(target: RfbTarget): Promise<RfbStream> {
    const label = `RFB ${target.host}:${target.port}`;
    const timeoutMs = target.timeoutMs ?? DEFAULT_RFB_TIMEOUT_MS;
    const socket = connect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    const stream = new RfbStream(socket, label, timeoutMs);
    await new Promise<void>((resolve, reject) => {
      if (stream.failure) return reject(stream.failure);
      stream.pending = { size: 0, what: 'the TCP connection', resolve: () => resolve(), reject };
      socket.once('connect', () => {
        stream.pending = undefined;
        resolve();
      });
    });
    return stream;
  }

  get elapsedMs(): number {
    return Date.now() - this.started;
  }

  private deliver(): void {
    const pending = this.pending;
    if (!pending || pending.size === 0 || this.buffered.length < pending.size) return;
    const bytes = this.buffered.subarray(0, pending.size);
    this.buffered = this.buffered.subarray(pending.size);
    this.pending = undefined;
    pending.resolve(Buffer.from(bytes));
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    clearTimeout(this.timer);
    this.socket.destroy();
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }

  read(size: number, what: string): Promise<Buffer> {
    if (this.pending) return Promise.reject(new Error(`${this.label}: overlapping reads (${this.pending.what} / ${what})`));
    this.waitingFor = what;
    if (this.buffered.length >= size) {
      const bytes = Buffer.from(this.buffered.subarray(0, size));
      this.buffered = this.buffered.subarray(size);
      return Promise.resolve(bytes);
    }
    // Bytes already received are still handed out after a close: only fail when they are not enough.
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { size, what, resolve, reject };
    });
  }

  async readU8(what: string): Promise<number> {
    return (await this.read(1, what)).readUInt8(0);
  }

  async readU32(what: string): Promise<number> {
    return (await this.read(4, what)).readUInt32BE(0);
  }

  /** A u32 length followed by that many bytes (reason strings, desktop names). */
  async readString(what: string): Promise<string> {
    const length = await this.readU32(`the length of ${what}`);
    if (length > MAX_STRING_BYTES) throw this.protocolError(`${what} claims ${length} bytes (limit ${MAX_STRING_BYTES})`);
    return (await this.read(length, what)).toString('utf8');
  }

  write(bytes: Uint8Array): void {
    if (this.failure) throw this.failure;
    this.socket.write(bytes);
  }

  protocolError(message: string): Error {
    const error = new Error(`${this.label}: ${message}`);
    this.fail(error);
    return error;
  }

  close(): void {
    clearTimeout(this.timer);
    if (!this.failure) this.failure = new Error(`${this.label}: connection closed by the client`);
    this.socket.destroy();
  }
}

interface Negotiated {
  serverVersion: string;
  clientVersion: string;
  minor: 3 | 7 | 8;
  securityTypes: number[];
  reason?: string;
}

/** ProtocolVersion exchange and the security list/type (RFC 6143 §7.1.1–7.1.2, plus 3.3's form). */
async function negotiate(stream: RfbStream): Promise<Negotiated> {
  const raw = await stream.read(12, 'the ProtocolVersion message');
  const text = raw.toString('latin1');
  const match = /^RFB (\d{3})\.(\d{3})\n$/.exec(text);
  if (!match) throw stream.protocolError(`not an RFB server: expected 'RFB xxx.yyy\\n', got ${JSON.stringify(text)}`);
  const major = Number(match[1]);
  const serverMinor = Number(match[2]);
  if (major < 3) throw stream.protocolError(`unsupported RFB version ${text.trim()}`);
  // 3.8 or newer (e.g. Apple's 3.889) → 3.8; 3.7 → 3.7; anything else older → 3.3, as the RFC says.
  const minor: 3 | 7 | 8 = major > 3 || serverMinor >= 8 ? 8 : serverMinor === 7 ? 7 : 3;
  const clientVersion = `RFB 003.00${minor}`;
  stream.write(Buffer.from(`${clientVersion}\n`, 'latin1'));
  const serverVersion = text.trim();

  if (minor === 3) {
    const type = await stream.readU32('the security type (RFB 3.3)');
    if (type === SecurityType.Invalid) {
      const reason = await stream.readString('the connection-failed reason');
      return { serverVersion, clientVersion, minor, securityTypes: [], reason };
    }
    return { serverVersion, clientVersion, minor, securityTypes: [type] };
  }
  const count = await stream.readU8('the number of security types');
  if (count === 0) {
    const reason = await stream.readString('the connection-failed reason');
    return { serverVersion, clientVersion, minor, securityTypes: [], reason };
  }
  const types = await stream.read(count, 'the security types');
  return { serverVersion, clientVersion, minor, securityTypes: [...types] };
}

/** Connects, exchanges versions, reads the offered security types, and disconnects. */
export async function rfbHandshake(target: RfbTarget): Promise<RfbHandshakeResult> {
  const stream = await RfbStream.open(target);
  try {
    const negotiated = await negotiate(stream);
    return {
      serverVersion: negotiated.serverVersion,
      clientVersion: negotiated.clientVersion,
      securityTypes: negotiated.securityTypes,
      ...(negotiated.reason !== undefined ? { reason: negotiated.reason } : {}),
      elapsedMs: stream.elapsedMs,
    };
  } finally {
    stream.close();
  }
}

function parsePixelFormat(bytes: Buffer): RfbPixelFormat {
  return {
    bitsPerPixel: bytes.readUInt8(0),
    depth: bytes.readUInt8(1),
    bigEndian: bytes.readUInt8(2) !== 0,
    trueColour: bytes.readUInt8(3) !== 0,
    redMax: bytes.readUInt16BE(4),
    greenMax: bytes.readUInt16BE(6),
    blueMax: bytes.readUInt16BE(8),
    redShift: bytes.readUInt8(10),
    greenShift: bytes.readUInt8(11),
    blueShift: bytes.readUInt8(12),
  };
}

/**
 * VNC Authentication (security type 2): answers the challenge with the password, reads the
 * SecurityResult, and on success sends ClientInit and reads ServerInit. Disconnects afterwards.
 */
export async function vncAuthenticate(options: VncAuthOptions): Promise<VncAuthResult> {
  const stream = await RfbStream.open(options);
  try {
    const negotiated = await negotiate(stream);
    const { serverVersion, securityTypes, minor } = negotiated;
    const refused = (reason: string): VncAuthResult => ({ ok: false, reason, serverVersion, securityTypes, elapsedMs: stream.elapsedMs });

    if (negotiated.reason !== undefined) return refused(negotiated.reason);
    if (!securityTypes.includes(SecurityType.VncAuthentication)) {
      return refused(`the server does not offer VNC Authentication (type 2); it offers [${securityTypes.join(', ')}]`);
    }
    // In 3.7/3.8 the client picks from the list; in 3.3 the server has already chosen.
    if (minor !== 3) stream.write(Buffer.from([SecurityType.VncAuthentication]));

    const challenge = await stream.read(16, 'the VNC Authentication challenge');
    stream.write(vncAuthResponse(options.password, challenge));

    const result = await stream.readU32('the SecurityResult');
    if (result !== 0) {
      // Only 3.8 sends a reason after a failed SecurityResult.
      const reason =
        minor === 8
          ? await stream.readString('the SecurityResult failure reason')
          : `authentication failed (SecurityResult ${result}; RFB 3.${minor} sends no reason)`;
      return refused(reason);
    }

    stream.write(Buffer.from([options.shared === false ? 0 : 1]));
    const header = await stream.read(20, 'ServerInit (geometry and pixel format)');
    const name = await stream.readString('the desktop name');
    return {
      ok: true,
      serverVersion,
      securityTypes,
      width: header.readUInt16BE(0),
      height: header.readUInt16BE(2),
      pixelFormat: parsePixelFormat(header.subarray(4, 20)),
      name,
      elapsedMs: stream.elapsedMs,
    };
  } finally {
    stream.close();
  }
}
