import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePort, parseProject, repositoryOf } from '../../src/cli/project.ts';

const golden = (name: string) => {
  const file = join(import.meta.dirname, '../../examples/golden', name, 'compose.yaml');
  return parseProject(readFileSync(file, 'utf8'), file);
};

describe('parseProject', () => {
  it('reads name, image, persistence, desktop and ports from generated projects', () => {
    expect(golden('default')).toMatchObject({
      name: 'default',
      service: 'vm',
      image: 'dockervm/default:latest',
      repository: 'dockervm/default',
      persistence: 'rootfs',
      desktop: 'novnc',
      volumeKeys: ['rootfs'],
    });
    expect(golden('default').ports).toEqual([
      { ip: '127.0.0.1', host: 5901, container: 5901, variable: 'DOCKERVM_VNC_PORT' },
      { ip: '127.0.0.1', host: 6080, container: 6080, variable: 'DOCKERVM_NOVNC_PORT' },
    ]);
    expect(golden('busybox-shell')).toMatchObject({ persistence: 'none', desktop: 'shell', ports: [] });
    expect(golden('xterm-debian')).toMatchObject({ desktop: 'xterm' });
  });

  it('tells what is wrong with a compose file that is not a dockervm project', () => {
    expect(() => parseProject('services: {}\n', 'c.yaml')).toThrow(/no top-level `name:`/);
    expect(() => parseProject('name: x\nservices:\n  web:\n    image: nginx\n', 'c.yaml')).toThrow(/not a dockervm project/);
    expect(() => parseProject('name: x\nservices:\n  vm:\n    labels: {dev.dockervm.project: y}\n', 'c.yaml')).toThrow(/not a dockervm project/);
    expect(() => parseProject('name: [\n', 'c.yaml')).toThrow(/not valid YAML/);
    expect(
      parseProject('name: x\nservices:\n  vm:\n    labels: ["dev.dockervm.project=x"]\n    volumes: ["home:/home", "./data:/data"]\n', 'c.yaml'),
    ).toMatchObject({ persistence: 'home', volumeKeys: ['home'] });
  });
});

describe('parsePort', () => {
  it('reads the short and long forms', () => {
    expect(parsePort('127.0.0.1:6080:6080')).toEqual({ ip: '127.0.0.1', host: 6080, container: 6080 });
    expect(parsePort('8080:80/tcp')).toEqual({ ip: '0.0.0.0', host: 8080, container: 80 });
    expect(parsePort(22)).toEqual({ ip: '0.0.0.0', host: 22, container: 22 });
    expect(parsePort('[::1]:2222:22')).toEqual({ ip: '::1', host: 2222, container: 22 });
    expect(parsePort({ target: 5901, published: 15901, host_ip: '127.0.0.1' })).toEqual({ ip: '127.0.0.1', host: 15901, container: 5901 });
    expect(parsePort('${PORT}:80')).toBeUndefined();
  });
});

describe('repositoryOf', () => {
  it('drops the tag and digest, not a registry port, and names the file of a bad reference', () => {
    expect(repositoryOf('dockervm/lab:latest')).toBe('dockervm/lab');
    expect(repositoryOf('lab')).toBe('lab');
    expect(repositoryOf('127.0.0.1:5000/vms/lab:v1@sha256:' + 'a'.repeat(64))).toBe('127.0.0.1:5000/vms/lab');
    expect(repositoryOf('127.0.0.1:5000/lab')).toBe('127.0.0.1:5000/lab');
    expect(repositoryOf('docker.io/library/lab:latest')).toBe('lab');
    expect(() => repositoryOf('Lab:latest', 'c.yaml')).toThrow(/^c\.yaml: the vm service's image: invalid image reference/);
  });
});
