// The long-running processes a VM runs, by name, and who can supervise them: what decides, before
// anything is rendered or any registry is asked, whether a VM needs a supervisor and whether the
// one asked for exists for its base. The generators make the programs themselves; a test checks
// that they make exactly these.
import type { Desktop, Family, Service, Supervisor, WindowManager } from './types.ts';

export function processNames(s: { desktop: Desktop; windowManager: WindowManager; services: readonly Service[]; audio?: boolean }): string[] {
  const names: string[] = [];
  if (s.desktop === 'xterm') names.push('xterm');
  if (s.desktop === 'vnc' || s.desktop === 'novnc') {
    // XFCE brings its own terminal (in the panel); the lighter desktops open an xterm.
    names.push('vnc-server', ...(s.windowManager === 'xfce' ? [] : ['xterm']));
    if (s.windowManager !== 'none') names.push(s.windowManager);
    // pekwm and Openbox paint no background of their own: a small program paints the VM's name and hints.
    if (s.windowManager === 'pekwm' || s.windowManager === 'openbox') names.push('desktop-background');
  }
  if (s.desktop === 'novnc') names.push('novnc');
  // The sound server (generators/audio.ts); --audio is refused without the browser desktop.
  if (s.audio && s.desktop === 'novnc') names.push('audio');
  return [...names, ...s.services];
}

/** The packages of each supervisor, per family that has it. */
export const SUPERVISOR_PACKAGES: Record<Exclude<Supervisor, 'none'>, Partial<Record<Family, string[]>>> = {
  supervisord: { debian: ['supervisor'], fedora: ['supervisor'], alpine: ['supervisor'] },
  runit: { debian: ['runit'], alpine: ['runit'] },
};

/** `auto` made concrete, or the problem with the supervisor asked for. */
export function resolveSupervisor(requested: Supervisor | 'auto', processes: readonly string[], family: Family): Supervisor | { problem: string } {
  const supervisor = requested === 'auto' ? (processes.length > 1 ? 'supervisord' : 'none') : requested;
  if (supervisor === 'none') {
    return processes.length > 1
      ? { problem: `${processes.length} processes (${processes.join(', ')}) need a supervisor: use --supervisor supervisord or runit` }
      : 'none';
  }
  if (!SUPERVISOR_PACKAGES[supervisor][family]) return { problem: `${supervisor} is not packaged for ${family}: use --supervisor supervisord` };
  return supervisor;
}
