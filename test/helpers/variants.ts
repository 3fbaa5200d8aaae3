// The projects we prove: each golden under examples/golden/<name> is made from these flags, and the
// e2e suite scaffolds the same flags with the real CLI.
export interface Variant {
  name: string;
  args: string[];
  /** Built and run on the engine by vm-variants.test.ts (bases the local registry mirror serves). */
  engine: boolean;
  /** Why a variant the mirror could serve is not built by vm-variants.test.ts (vm-bases-not-here prints it). */
  notBuilt?: string;
}

const fixedUser = ['--uid', '1000', '--gid', '1000'];

export const VARIANTS: Variant[] = [
  { name: 'default', args: [...fixedUser], engine: true },
  { name: 'shell-debian', args: ['--desktop', 'shell', ...fixedUser], engine: true },
  { name: 'xterm-ubuntu', args: ['--base', 'ubuntu', '--desktop', 'xterm', '--persistence', 'home', ...fixedUser], engine: false },
  { name: 'xterm-debian', args: ['--desktop', 'xterm', '--persistence', 'home', ...fixedUser], engine: true },
  {
    name: 'vnc-debian-supervisord',
    args: ['--desktop', 'vnc', '--wm', 'none', '--supervisor', 'supervisord', '--service', 'syslog', '--persistence', 'volumes', '--no-sudo', ...fixedUser],
    engine: true,
  },
  {
    name: 'novnc-openbox-sshd-cron',
    args: ['--desktop', 'novnc', '--wm', 'openbox', '--service', 'sshd', '--service', 'cron', ...fixedUser],
    engine: true,
  },
  {
    name: 'runit-trixie',
    args: ['--base', 'debian-trixie', '--desktop', 'vnc', '--supervisor', 'runit', '--persistence', 'none', ...fixedUser],
    engine: true,
  },
  { name: 'alpine-novnc', args: ['--base', 'alpine', '--desktop', 'novnc', '--service', 'sshd', '--persistence', 'home', ...fixedUser], engine: false },
  { name: 'fedora-vnc', args: ['--base', 'fedora', '--desktop', 'vnc', '--service', 'cron,syslog', '--persistence', 'volumes', ...fixedUser], engine: false },
  // The full desktops: built and run once by test/e2e/desktop-variants.test.ts (a browser VM is too big
  // to build for every check vm-variants runs); the others are proven by their rendered files.
  {
    // The fullest desktop: XFCE, both browsers and sound.
    name: 'xfce-browsers',
    args: ['--wm', 'xfce', '--app', 'firefox,chromium', '--audio', ...fixedUser],
    engine: false,
    notBuilt: 'built and run by test/e2e/desktop-variants.test.ts',
  },
  { name: 'xfce-runit-ubuntu', args: ['--base', 'ubuntu', '--wm', 'xfce', '--supervisor', 'runit', ...fixedUser], engine: false },
  { name: 'fedora-xfce-browsers', args: ['--base', 'fedora', '--wm', 'xfce', '--app', 'firefox,chromium', ...fixedUser], engine: false },
  { name: 'alpine-xfce-firefox', args: ['--base', 'alpine', '--wm', 'xfce', '--app', 'firefox', '--persistence', 'home', ...fixedUser], engine: false },
  {
    name: 'openbox-chromium',
    args: ['--wm', 'openbox', '--app', 'chromium', '--supervisor', 'runit', ...fixedUser],
    engine: false,
    notBuilt: 'a second browser VM does not fit the CI time budget: both browsers are built and run on XFCE (xfce-browsers)',
  },
  {
    name: 'audio-runit',
    args: ['--audio', '--supervisor', 'runit', ...fixedUser],
    engine: false,
    notBuilt: 'sound (--audio) is built and run by test/e2e/desktop-remote.test.ts (with supervisord and --bind-all)',
  },
  { name: 'fedora-novnc-audio', args: ['--base', 'fedora', '--audio', ...fixedUser], engine: false },
  { name: 'busybox-shell', args: ['--base', 'busybox', '--persistence', 'none', ...fixedUser], engine: true },
  {
    name: 'custom-packages-ports',
    args: ['--desktop', 'shell', '--package', 'curl,git', '--port', '8080', '--port', '9000:90', '--sudo', '--user', 'alice', '--uid', '1500', '--gid', '1500'],
    engine: true,
  },
];
