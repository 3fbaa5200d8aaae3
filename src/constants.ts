// The names dockervm shares between the scaffolder, the projects it writes and the lifecycle CLI: the labels
// it finds its containers, images and volumes by, the roles on them, and the ports inside a VM. Generated
// projects and saved snapshots carry these values, so they are a contract: renaming one strands every VM
// made before. No imports, so every layer (vmspec, generators, render, docker, create, cli) may use it.

/** Labels dockervm writes (on images, containers and volumes) and reads back. */
export const LABEL = {
  /** `<name>` of the compose project: how every command finds a project's VM, images and snapshots. */
  project: 'dev.dockervm.project',
  /** What a container or image is for (see ROLE); a VM's own container has none. */
  role: 'dev.dockervm.role',
  /** On the image create-dockervm builds: the version that generated the project, and its persistence mode. */
  generator: 'dev.dockervm.generator',
  persistence: 'dev.dockervm.persistence',
  // On snapshots. Image labels cannot change after the image exists, so everything a snapshot needs to be
  // restored is written at commit time; the "current" pointer is a tag instead.
  snapshot: 'dev.dockervm.snapshot',
  message: 'dev.dockervm.snapshot.message',
  parent: 'dev.dockervm.snapshot.parent',
  created: 'dev.dockervm.snapshot.created',
  engine: 'dev.dockervm.snapshot.engine',
  kind: 'dev.dockervm.snapshot.kind',
  /** JSON list of the volumes saved with it (see SavedVolume). */
  volumes: 'dev.dockervm.snapshot.volumes',
  /** Whether the VM container was running (restore starts it again). */
  running: 'dev.dockervm.snapshot.running',
  snapshotPersistence: 'dev.dockervm.snapshot.persistence',
  // On lock and helper containers: who holds them.
  pid: 'dev.dockervm.pid',
  host: 'dev.dockervm.host',
  operation: 'dev.dockervm.operation',
  // On an image `dockervm import` made: where it came from.
  importSource: 'dev.dockervm.import.source',
  importFormat: 'dev.dockervm.import.format',
  importOs: 'dev.dockervm.import.os',
  // On what `dockervm fleet` deploys: the stack, and each seat's service, node, image and address.
  fleet: 'dev.dockervm.fleet',
  fleetSeat: 'dev.dockervm.fleet.seat',
  fleetNode: 'dev.dockervm.fleet.node',
  fleetImage: 'dev.dockervm.fleet.image',
  fleetPort: 'dev.dockervm.fleet.port',
  fleetHost: 'dev.dockervm.fleet.host',
  /** On a seat's snapshot (`fleet save`): JSON `{ dirs, bytes, sha256 }` of the disk it holds. */
  fleetDisk: 'dev.dockervm.fleet.disk',
  /** On the fleet's TLS proxy image: the dockervm version that built it. */
  fleetProxy: 'dev.dockervm.fleet-proxy',
} as const;

/** Values of LABEL.role. */
export const ROLE = {
  snapshot: 'snapshot',
  volumes: 'snapshot-volumes',
  helper: 'snapshot-helper',
  lock: 'lock',
  imported: 'imported',
  doctorProbe: 'doctor-probe',
  /** A seat's disk saved by `fleet save` (not a VM snapshot: `dockervm snapshots` does not list it). */
  fleetSnapshot: 'fleet-snapshot',
} as const;

/** The labels docker compose puts on what it creates, as dockervm reads them. */
export const COMPOSE_LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  /** Only on containers compose itself made (not on one run by hand from its image). */
  containerNumber: 'com.docker.compose.container-number',
  /** On a volume: its key under `volumes:` in compose.yaml. */
  volume: 'com.docker.compose.volume',
} as const;

/** A rootfs VM's disk in compose.yaml: the volume, and the one-shot service that seeds it from the image. */
export const ROOTFS = {
  volume: 'rootfs',
  seedService: 'rootfs-init',
} as const;

/** Ports inside the VM (the host side is chosen per project and kept in .env). */
export const VM_PORT = {
  vnc: 5901,
  novnc: 6080,
  ssh: 22,
} as const;
