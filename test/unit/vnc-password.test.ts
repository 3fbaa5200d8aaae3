import { describe, expect, it } from 'vitest';
import { randomVncPassword } from '../../src/create/main.ts';

describe('randomVncPassword', () => {
  it('is 8 characters of the unambiguous alphabet, different every time', () => {
    const passwords = Array.from({ length: 500 }, () => randomVncPassword());
    for (const password of passwords) expect(password).toMatch(/^[a-kmnp-zA-HJ-NP-Z2-9]{8}$/);
    expect(new Set(passwords).size).toBe(passwords.length);
  });

  it('uses every character of the alphabet (no byte-range bias cuts any off)', () => {
    const seen = new Set(Array.from({ length: 400 }, () => randomVncPassword()).join(''));
    expect(seen.size).toBe(56);
  });
});
