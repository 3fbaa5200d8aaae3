import { describe, expect, it } from 'vitest';
import { isMissingSubpath } from '../../src/cli/seeded-start.ts';

describe('a start without the seeding one-shot', () => {
  it('tells the engine refusing a subpath that is not on the disk yet from every other failure', () => {
    // What Engine 28 says when a volume subpath does not exist (seen on a disk whose seed was cut short).
    const refused =
      ' Container lab-vm-1  Starting\nError response from daemon: cannot access path /var/lib/docker/volumes/lab_rootfs/_data/srv: lstat /var/lib/docker/volumes/lab_rootfs/_data/srv: no such file or directory\n';
    expect(isMissingSubpath(refused)).toBe(true);
    for (const other of [
      'Error response from daemon: driver failed programming external connectivity on endpoint lab-vm-1: Bind for 127.0.0.1:6080 failed: port is already allocated',
      'Error response from daemon: No such image: dockervm/lab:latest',
      'no such file or directory',
      '',
    ])
      expect(isMissingSubpath(other), other).toBe(false);
  });
});
