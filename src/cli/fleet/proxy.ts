// The fleet's one entry point: Caddy from Debian's archive, as a swarm service. It terminates TLS
// (its own local CA: `tls internal`) and routes /seat-NN/ to that seat's noVNC, whose page is told
// to open its websocket under the same prefix (noVNC's `path` parameter).
import { VM_PORT } from '../../constants.ts';

/** The port Caddy listens on inside its container (published on the manager as --port). */
export const PROXY_PORT = 8443;

/** The proxy image is built once per engine, for this version of dockervm's Caddyfile layout. */
export const proxyImageTag = (version: string) => `dockervm/fleet-proxy:${version}`;

export const PROXY_DOCKERFILE = [
  '# The dockervm fleet entry point: Caddy from the distribution, run as an unprivileged user.',
  'FROM debian:bookworm-slim',
  // The same apt caches as the VM's own Dockerfile (on an engine that built a VM, the lists are there);
  // private, so a VM build holding them does not make this one wait.
  'RUN --mount=type=cache,target=/var/cache/apt,sharing=private \\',
  '    --mount=type=cache,target=/var/lib/apt/lists,sharing=private \\',
  '    rm -f /etc/apt/apt.conf.d/docker-clean \\',
  '    && apt-get update \\',
  '    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends caddy ca-certificates \\',
  '    && useradd --system --no-create-home --home-dir /data fleet-proxy \\',
  '    && mkdir -p /data /etc/caddy && chown fleet-proxy /data',
  'USER fleet-proxy',
  // Caddy keeps its CA and certificates under XDG_DATA_HOME: the proxy-data volume.
  'ENV XDG_DATA_HOME=/data XDG_CONFIG_HOME=/data',
  `EXPOSE ${PROXY_PORT}`,
  'ENTRYPOINT ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]',
  '',
].join('\n');

/** Caddy's local CA (`tls internal`), on the proxy-data volume. */
export const CA_CERTIFICATE = '/data/caddy/pki/authorities/local/root.crt';

/** Where a seat's desktop opens: noVNC's page, its websocket under the seat's prefix. */
export const seatPage = (seat: string) => `/${seat}/vnc.html?path=${seat}/websockify&autoconnect=1&resize=remote&reconnect=1`;

/**
 * One site for `host` (and localhost, for a browser on the manager itself). Clients that send no
 * server name (an IP address in the URL) get the certificate of `host`.
 */
export function caddyfile(host: string, seats: readonly string[]): string {
  const names = [...new Set([host, 'localhost', '127.0.0.1'])];
  const lines = [
    '{',
    '\tadmin off',
    '\tlocal_certs',
    '\tskip_install_trust',
    '\tauto_https disable_redirects',
    `\tdefault_sni ${host}`,
    '}',
    '',
    `${names.map((n) => `https://${n.includes(':') ? `[${n}]` : n}:${PROXY_PORT}`).join(', ')} {`,
    '\ttls internal',
  ];
  for (const seat of seats) {
    lines.push(
      `\tredir /${seat} /${seat}/ 308`,
      `\t@${seat}-root path /${seat}/`,
      `\tredir @${seat}-root ${seatPage(seat)} 302`,
      `\thandle_path /${seat}/* {`,
      `\t\treverse_proxy ${seat}:${VM_PORT.novnc}`,
      '\t}',
    );
  }
  lines.push('\thandle {', '\t\trespond "no such seat: see npx dockervm fleet status" 404', '\t}', '}', '');
  return lines.join('\n');
}
