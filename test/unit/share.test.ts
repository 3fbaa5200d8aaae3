// --share: the flag, the folder's checks, and what it adds to the project (compose bind, the folder's
// .gitignore owned by the VM user, the mount point in the image, the README section).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { getContext } from '../../src/create/context.ts';
import { CLIError } from '../../src/errors.ts';
import { resolveShare } from '../../src/vmspec/share.ts';
import { fileText, renderFromArgs, specFromArgs } from '../helpers/render.ts';

describe('--share', () => {
  it('alone means ./share; --share=DIR names another; the word after a bare --share stays the directory', () => {
    expect(getContext(['vm', '--share'], {}, false).flags.share).toBe('./share');
    const context = getContext(['--share', 'my-vm'], {}, false);
    expect(context.flags).toMatchObject({ share: './share', directory: 'my-vm' });
    expect(getContext(['vm', '--share=/srv/data'], {}, false).flags.share).toBe('/srv/data');
    expect(getContext(['vm'], {}, false).flags.share).toBeUndefined();
  });

  it('keeps a relative folder inside the project and away from its own files', () => {
    expect(resolveShare('./share/')).toEqual({ source: './share', projectPath: 'share' });
    expect(resolveShare('data/in')).toEqual({ source: './data/in', projectPath: 'data/in' });
    expect(resolveShare('/srv//data/')).toEqual({ source: '/srv/data/' });
    expect(resolveShare('../elsewhere')).toMatch(/inside the project/);
    expect(resolveShare('.')).toMatch(/inside the project/);
    expect(resolveShare('secrets')).toMatch(/part of the project/);
    expect(resolveShare('rootfs/x')).toMatch(/part of the project/);
    expect(resolveShare('/')).toMatch(/refused/);
  });

  it('refuses a bad folder with a clear error, no file rendered', async () => {
    await expect(specFromArgs('vm', ['--share=../up'])).rejects.toThrow(CLIError);
  });

  it('binds the folder at ~/share, makes the mount point, and git-ignores what is in it', async () => {
    const files = await renderFromArgs('vm', ['--share', '--uid', '4321', '--gid', '4322']);
    const compose = parse(fileText(files, 'compose.yaml'));
    expect(compose.services.vm.volumes).toContainEqual({ type: 'bind', source: './share', target: '/home/dev/share' });
    const ignore = files.get('share/.gitignore');
    expect(ignore).toMatchObject({ owner: { uid: 4321, gid: 4322 }, ownsFolder: true });
    expect(fileText(files, 'share/.gitignore').split('\n')).toEqual(expect.arrayContaining(['*', '!.gitignore']));
    expect(files.get('Dockerfile')?.content).toMatch(/mkdir -p \/home\/dev\/share/);
    expect(files.get('README.md')?.content).toMatch(/## Shared folder[\s\S]*`\.\/share` on this machine is `~\/share`/);
  });

  it('an absolute folder is bound as it is, with nothing made in the project', async () => {
    const files = await renderFromArgs('vm', ['--share=/srv/data', '--desktop', 'shell']);
    expect(files.get('compose.yaml')?.content).toMatch(/source: \/srv\/data\n\s+target: \/home\/dev\/share/);
    expect([...files.keys()].some((path) => path.endsWith('/.gitignore'))).toBe(false);
    expect(files.get('README.md')?.content).toMatch(/must exist before `docker compose up`/);
  });

  it('without --share nothing changes', async () => {
    const files = await renderFromArgs('vm', []);
    expect(files.get('compose.yaml')?.content).not.toMatch(/share/);
    expect(files.get('README.md')?.content).not.toMatch(/Shared folder/);
  });
});
