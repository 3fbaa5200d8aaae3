// Types for build-warnings.mjs (plain JavaScript: astro.config.mjs imports it).
export interface BuildWarning {
  code?: string;
  message: string;
}
export function onBuildWarning<W extends BuildWarning>(warning: W, warn: (warning: W) => void): void;
