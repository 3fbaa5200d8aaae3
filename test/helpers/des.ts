// DES (FIPS 46-3) encryption of single 8-byte blocks, for VNC Authentication (RFC 6143 §7.2.2).
//
// Node's OpenSSL 3 keeps single DES ("des-ecb") in the legacy provider, which is not loaded by
// default. When OpenSSL offers it we use it; otherwise, when it offers two-key triple DES
// ("des-ede-ecb", in the default provider) we run that with K1 = K2, which is E(K, D(K, E(K, x)))
// = E(K, x), i.e. exactly single DES; and when neither is there, a small pure-TypeScript DES that
// follows the standard's tables. The three give identical results (the tests check that).

import { createCipheriv, getCiphers } from 'node:crypto';

export type DesBackend = 'openssl-des-ecb' | 'openssl-des-ede-ecb' | 'pure';

// --- The standard's tables (1-based bit positions, bit 1 = most significant bit of byte 0). ---

const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59,
  51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];

/** IP⁻¹, derived from IP rather than typed in, so the two cannot disagree. */
const FP: number[] = (() => {
  const inverse = new Array<number>(64).fill(0);
  IP.forEach((source, index) => {
    inverse[source - 1] = index + 1;
  });
  return inverse;
})();

const E = [
  32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17, 16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28,
  29, 30, 31, 32, 1,
];

const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25];

const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, 63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30,
  22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];

const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34,
  53, 46, 42, 50, 36, 29, 32,
];

const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];

// S-boxes S1..S8, each 4 rows of 16.
const S: number[][] = [
  [
    14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8, 4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10,
    5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
  ],
  [
    15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5, 0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3,
    2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
  ],
  [
    10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1, 13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10,
    14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
  ],
  [
    7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9, 10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2,
    8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
  ],
  [
    2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6, 4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3,
    0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
  ],
  [
    12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8, 9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13,
    11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
  ],
  [
    4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6, 1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5,
    9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
  ],
  [
    13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2, 7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3,
    5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
  ],
];

// --- The pure implementation: bits as arrays of 0/1; slow and plain, which is fine for a handful of blocks. ---

function toBits(bytes: Uint8Array): number[] {
  const bits: number[] = [];
  for (const byte of bytes) for (let i = 7; i >= 0; i--) bits.push((byte >> i) & 1);
  return bits;
}

function fromBits(bits: number[]): Buffer {
  const out = Buffer.alloc(bits.length / 8);
  bits.forEach((bit, i) => {
    if (bit) out[i >> 3]! |= 0x80 >> (i & 7);
  });
  return out;
}

function permute(bits: number[], table: number[]): number[] {
  return table.map((position) => bits[position - 1]!);
}

function rotateLeft(half: number[], count: number): number[] {
  return [...half.slice(count), ...half.slice(0, count)];
}

function subkeys(key: Uint8Array): number[][] {
  const permuted = permute(toBits(key), PC1); // 56 bits; the parity bits are dropped here
  let c = permuted.slice(0, 28);
  let d = permuted.slice(28);
  return SHIFTS.map((shift) => {
    c = rotateLeft(c, shift);
    d = rotateLeft(d, shift);
    return permute([...c, ...d], PC2);
  });
}

function feistel(right: number[], subkey: number[]): number[] {
  const mixed = permute(right, E).map((bit, i) => bit ^ subkey[i]!);
  const substituted: number[] = [];
  for (let box = 0; box < 8; box++) {
    const six = mixed.slice(box * 6, box * 6 + 6);
    const row = (six[0]! << 1) | six[5]!;
    const column = (six[1]! << 3) | (six[2]! << 2) | (six[3]! << 1) | six[4]!;
    const value = S[box]![row * 16 + column]!;
    for (let i = 3; i >= 0; i--) substituted.push((value >> i) & 1);
  }
  return permute(substituted, P);
}

/** Pure-TypeScript DES-ECB of one block (exported so tests can compare it with OpenSSL). */
export function desEncryptBlockPure(key: Uint8Array, block: Uint8Array): Buffer {
  checkSizes(key, block);
  const keys = subkeys(key);
  const permuted = permute(toBits(block), IP);
  let left = permuted.slice(0, 32);
  let right = permuted.slice(32);
  for (const subkey of keys) {
    const f = feistel(right, subkey);
    [left, right] = [right, left.map((bit, i) => bit ^ f[i]!)];
  }
  // The last round's halves are not swapped back: the pre-output block is R16 L16.
  return fromBits(permute([...right, ...left], FP));
}

function checkSizes(key: Uint8Array, block: Uint8Array): void {
  if (key.length !== 8) throw new RangeError(`DES key must be 8 bytes, got ${key.length}`);
  if (block.length !== 8) throw new RangeError(`DES block must be 8 bytes, got ${block.length}`);
}

let chosenBackend: DesBackend | undefined;

/** Which implementation desEncryptBlock uses in this process (decided once, on first use). */
export function desBackend(): DesBackend {
  if (chosenBackend) return chosenBackend;
  const ciphers = new Set(getCiphers());
  const probeKey = Buffer.from('133457799bbcdff1', 'hex');
  const probeBlock = Buffer.from('0123456789abcdef', 'hex');
  const expected = '85e813540f0ab405';
  // getCiphers() lists what OpenSSL knows by name; a cipher whose provider is not loaded still
  // fails in createCipheriv, so each candidate is probed with a known answer before it is chosen.
  const candidates: Array<[DesBackend, string]> = [
    ['openssl-des-ecb', 'des-ecb'],
    ['openssl-des-ede-ecb', 'des-ede-ecb'],
  ];
  for (const [backend, name] of candidates) {
    if (!ciphers.has(name)) continue;
    try {
      if (opensslEncrypt(name, probeKey, probeBlock).toString('hex') === expected) {
        chosenBackend = backend;
        return backend;
      }
    } catch {
      // not usable (e.g. "unsupported" from a provider that is not loaded): try the next one
    }
  }
  chosenBackend = 'pure';
  return chosenBackend;
}

function opensslEncrypt(name: string, key: Uint8Array, block: Uint8Array): Buffer {
  const fullKey = name === 'des-ede-ecb' ? Buffer.concat([key, key]) : Buffer.from(key);
  const cipher = createCipheriv(name, fullKey, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

/** DES-ECB encryption of one 8-byte block with an 8-byte key (parity bits ignored, as the standard says). */
export function desEncryptBlock(key: Uint8Array, block: Uint8Array): Buffer {
  checkSizes(key, block);
  const backend = desBackend();
  if (backend === 'openssl-des-ecb') return opensslEncrypt('des-ecb', key, block);
  if (backend === 'openssl-des-ede-ecb') return opensslEncrypt('des-ede-ecb', key, block);
  return desEncryptBlockPure(key, block);
}

/** DES-ECB over a whole number of 8-byte blocks, each encrypted on its own. */
export function desEncryptEcb(key: Uint8Array, data: Uint8Array): Buffer {
  if (data.length % 8 !== 0) throw new RangeError(`DES-ECB data must be a multiple of 8 bytes, got ${data.length}`);
  const out = Buffer.alloc(data.length);
  for (let offset = 0; offset < data.length; offset += 8) {
    desEncryptBlock(key, data.subarray(offset, offset + 8)).copy(out, offset);
  }
  return out;
}
