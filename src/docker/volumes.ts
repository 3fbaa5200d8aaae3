// Named volumes: found by label, inspected, recreated with the labels compose gave them.
import { type Engine, isStatus } from './engine.ts';

export interface VolumeInfo {
  name: string;
  driver: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  createdAt: string;
}

export async function listVolumes(engine: Engine, labels: Record<string, string>): Promise<VolumeInfo[]> {
  const result = await engine.call('list volumes', () =>
    engine.docker.listVolumes({ filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) } }),
  );
  return (result.Volumes ?? []).map(toInfo).sort((a, b) => a.name.localeCompare(b.name));
}

export async function inspectVolume(engine: Engine, name: string): Promise<VolumeInfo | undefined> {
  try {
    return toInfo(await engine.call(`inspect volume ${name}`, () => engine.docker.getVolume(name).inspect()));
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw error;
  }
}

export async function createVolume(engine: Engine, volume: Omit<VolumeInfo, 'createdAt'>): Promise<VolumeInfo> {
  await engine.call(`create volume ${volume.name}`, () =>
    engine.docker.createVolume({ Name: volume.name, Driver: volume.driver, Labels: volume.labels, DriverOpts: volume.options }),
  );
  const created = await inspectVolume(engine, volume.name);
  if (!created) throw new Error(`volume ${volume.name} vanished right after it was created`);
  return created;
}

function toInfo(v: {
  Name: string;
  Driver: string;
  Labels?: Record<string, string> | null;
  Options?: Record<string, string> | null;
  CreatedAt?: string;
}): VolumeInfo {
  return { name: v.Name, driver: v.Driver, labels: v.Labels ?? {}, options: v.Options ?? {}, createdAt: v.CreatedAt ?? '' };
}

/** Disk use of volumes (GET /system/df?type=volume: only volumes are measured, not images). */
export async function volumeSizes(engine: Engine, labels: Record<string, string>): Promise<{ name: string; size: number }[]> {
  const data = (await engine.call(
    'measure volumes',
    () =>
      new Promise<unknown>((resolve, reject) => {
        engine.docker.modem.dial(
          { path: '/system/df?', method: 'GET', options: { type: ['volume'] }, statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' } },
          (error: unknown, result: unknown) => (error ? reject(error) : resolve(result)),
        );
      }),
  )) as { Volumes?: { Name: string; Labels?: Record<string, string> | null; UsageData?: { Size: number } | null }[] | null };
  return (data.Volumes ?? [])
    .filter((v) => Object.entries(labels).every(([k, value]) => v.Labels?.[k] === value))
    .map((v) => ({ name: v.Name, size: v.UsageData?.Size ?? -1 }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
