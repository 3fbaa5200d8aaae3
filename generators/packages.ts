// The user's own extra packages (already validated against the family's naming rules).
import type { VmSpec } from '../src/vmspec/types.ts';
import type { Contribution } from './contribution.ts';

export function extraPackagesLayer(spec: VmSpec): Contribution {
  return { layer: 'packages', packages: { [spec.base.family]: spec.packages } };
}
