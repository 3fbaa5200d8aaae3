import { VM_PORT } from '../../constants.ts';
import { CLIError } from '../../errors.ts';
import type { Command } from '../command.ts';
import { launch, opener } from '../opener.ts';
import { desktopTls, httpsUrl } from '../desktop-tls.ts';
import { openSession } from '../session.ts';
import { findVm, localUrl, vmAddresses } from '../vm.ts';

export const command: Command = {
  name: 'open',
  summary: "print the desktop's URL (noVNC in a browser, or the VNC address); --browser opens it",
  usage: 'open [--browser]',
  options: {
    browser: { type: 'boolean', short: 'b', description: 'open the URL in the default browser (xdg-open, or open on macOS)' },
  },
  async run(ctx) {
    const session = await openSession(ctx);
    const { project, out } = session;
    if (project.desktop === 'shell' || project.desktop === 'xterm') {
      throw new CLIError(
        `${project.name} has no remote desktop (desktop: ${project.desktop})${project.desktop === 'xterm' ? ': its windows open on your X display' : ''}; use \`npx dockervm shell\``,
      );
    }
    const vm = await findVm(session);
    const running = Boolean(vm?.running);
    const published = vmAddresses(vm, project);
    const found = published.find((a) => a.kind === 'novnc') ?? published.find((a) => a.kind === 'vnc');
    const tls = found?.kind === 'novnc' ? await desktopTls(session, vm) : undefined;
    const target = found && tls ? { ...found, url: httpsUrl(found.url) } : found;
    if (!target) throw new CLIError(`${project.name} publishes no desktop port (${VM_PORT.novnc} for noVNC, ${VM_PORT.vnc} for VNC): see compose.yaml`);
    if (!running) out.warn(`${project.name} is not running: start it with \`npx dockervm up\``);
    let opened = false;
    if (ctx.flag('browser')) {
      if (target.kind !== 'novnc') throw new CLIError('--browser needs the noVNC desktop; this VM serves plain VNC: connect a VNC client to the address');
      const command = opener();
      if (!command) out.warn('no xdg-open here: open the URL yourself');
      else {
        opened = await launch(command, target.url);
        if (!opened) out.warn(`${command} could not open the URL: open it yourself`);
      }
    }
    const passwordFile = tls ? 'secrets/desktop_password' : 'secrets/vnc_password';
    return {
      data: {
        project: project.name,
        kind: target.kind,
        url: target.url,
        running,
        opened,
        passwordFile,
        ...(tls ? { tlsFingerprint: tls.fingerprint ?? null } : {}),
      },
      text: [
        target.kind === 'vnc'
          ? `${target.url.replace('vnc://', '')}   (a VNC client; password: cat ${passwordFile})`
          : `${target.url}   (password: cat ${passwordFile})`,
        ...(tls ? [`certificate SHA-256: ${tls.fingerprint ?? '(shown once the VM is up)'}   (compare it with the one your browser shows)`] : []),
      ],
    };
  },
};

export { localUrl };
