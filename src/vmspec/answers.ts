// Answers: what the user said, from flags or prompts, before validation. Everything optional here is
// filled by defaults.ts; normalize.ts turns complete answers into a VmSpec or refuses them.
import type { App, Desktop, Family, Persistence, Service, Supervisor, WindowManager } from './types.ts';

export interface Answers {
  /** Target directory, relative to the working directory or absolute. */
  directory: string;
  /** Project name; derived from the directory when absent. */
  name?: string;
  /** A preset id (`debian`, `ubuntu-22.04`, …) or any image reference. */
  base: string;
  /** Package family for a custom reference whose family cannot be told from its name. */
  family?: Family;
  /** Undefined: novnc where the base can run it, shell on busybox. */
  desktop?: Desktop;
  /** Undefined: pekwm for vnc/novnc, none otherwise. */
  windowManager?: WindowManager;
  /** Graphical applications for a vnc/novnc desktop (web browsers). */
  apps: App[];
  /** `auto`: supervisord when more than one process runs, otherwise tini alone. */
  supervisor: Supervisor | 'auto';
  services: Service[];
  userName: string;
  uid: string;
  gid: string;
  /** Undefined: yes where the base has sudo (not busybox). */
  sudo?: boolean;
  persistence: Persistence;
  packages: string[];
  /** `PORT` or `HOST:CONTAINER`. */
  ports: string[];
  /** Publish on all interfaces instead of 127.0.0.1. */
  bindAll: boolean;
  /** Public key text to authorize for ssh logins (sshd only). */
  sshPublicKey?: string;
  /** --share: host directory for ~/share, relative to the project or absolute. */
  share?: string;
  /** --audio: sound from the VM in the browser desktop. */
  audio: boolean;
  /** --cert/--key: a TLS certificate and its key (PEM text) for the browser desktop. */
  tls?: { certificate: string; key: string };
}
