// A VM named like an image the user already has (a learner's `npm create dockervm debian`) must build
// and run its own image, and leave the user's image alone. Before the VM image moved to dockervm/<name>
// with `pull_policy: never`, compose ran the existing <name>:latest instead of building, and
// `up --build` retagged it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupProject, composeUp, engineAvailable, mustSh, requireBuiltDockervm, scaffold, scratchDir, sh, uniqueName } from '../helpers/dockervm-engine.ts';

const haveEngine = engineAvailable();

describe.skipIf(!haveEngine)('the VM image name', () => {
  const name = uniqueName('clash');
  const scratch = scratchDir();
  const imageId = (reference: string) => mustSh('docker', ['image', 'inspect', '--format', '{{.Id}}', reference]).trim();
  let dir = '';
  let usersImage = '';

  beforeAll(() => {
    requireBuiltDockervm();
    // Stands in for an image pulled from a registry under the VM's name.
    mustSh('docker', ['tag', 'busybox:latest', `${name}:latest`]);
    usersImage = imageId(`${name}:latest`);
    dir = scaffold(scratch.path, name, ['--base', 'busybox:latest', '--no-pin', '--persistence', 'none']);
  });
  afterAll(() => {
    cleanupProject(name);
    sh('docker', ['rmi', `${name}:latest`]);
    scratch.cleanup();
  });

  it('builds dockervm/<name>, runs it, and leaves an image called <name> untouched', () => {
    composeUp(dir);
    const container = mustSh('docker', ['compose', 'ps', '--quiet', 'vm'], { cwd: dir }).trim();
    const running = mustSh('docker', ['inspect', '--format', '{{.Config.Image}} {{.Image}}', container]).trim().split(' ');
    expect(running[0]).toBe(`dockervm/${name}:latest`);
    expect(running[1]).toBe(imageId(`dockervm/${name}:latest`));
    expect(running[1]).not.toBe(usersImage);
    expect(mustSh('docker', ['image', 'inspect', '--format', '{{index .Config.Labels "dev.dockervm.project"}}', running[1] ?? '']).trim()).toBe(name);
    expect(imageId(`${name}:latest`)).toBe(usersImage);
  });
});
