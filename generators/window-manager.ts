// An optional window manager for the VNC desktops: without one, windows have no frames or menu.
import type { VmSpec } from '../src/vmspec/types.ts';
import type { Contribution } from './contribution.ts';
import { RUNTIME_BIN, VNC_DISPLAY } from './paths.ts';

export function windowManagerLayer(spec: VmSpec): Contribution {
  if (spec.windowManager === 'none') return { layer: 'window-manager:none' };
  return {
    layer: 'window-manager:openbox',
    packages: { [spec.base.family]: ['openbox'] },
    programs: [
      {
        name: 'openbox',
        command: [`${RUNTIME_BIN}/wait-x`, 'openbox'],
        runAs: 'user',
        priority: 20,
        environment: { DISPLAY: VNC_DISPLAY },
      },
    ],
    files: [
      // System-wide menu, so the persisted home stays the user's own.
      { path: 'rootfs/etc/xdg/openbox/menu.xml', mode: 0o644, template: 'rootfs/openbox-menu.xml.hbs', data: { name: spec.name } },
    ],
  };
}
