// `dockervm open --browser` reports what the opener did: its exit status, not that it was spawned.
import { describe, expect, it } from 'vitest';
import { launch } from '../../src/cli/opener.ts';

describe('launch', () => {
  it('is true only when the opener succeeded (or is still busy with a browser)', async () => {
    expect(await launch('true', 'http://127.0.0.1:6080/')).toBe(true);
    expect(await launch('false', 'http://127.0.0.1:6080/')).toBe(false);
    expect(await launch('/nonexistent/xdg-open', 'http://127.0.0.1:6080/')).toBe(false);
    expect(await launch('sleep', '5', 200)).toBe(true);
  });
});
