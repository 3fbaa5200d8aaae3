// A seat's disk as the one-shot jobs see it: the seat's service (and the image it runs, which every
// node that ever ran the seat has), and its volumes mounted at /disk/<dir>.
import { LABEL } from '../../constants.ts';
import type { JobMount, SwarmService } from '../../docker/swarm.ts';
import { CLIError } from '../../errors.ts';
import { DISK_DIRS } from './plan.ts';
import type { FleetSession } from './swarm-session.ts';

export const SEAT_DISK = '/disk';

export function seatService(fleet: Pick<FleetSession, 'services'>, seat: string): { service: SwarmService; image: string } {
  const service = fleet.services.find((s) => s.labels[LABEL.fleetSeat] === seat);
  const image = service?.labels[LABEL.fleetImage];
  if (!service || !image) throw new CLIError(`${seat} has no image label: deploy it again with fleet up`);
  return { service, image };
}

/** The seat's volumes by their stack names; a volume made by a job carries the labels the stack gives it. */
export function seatDiskMounts(fleet: Pick<FleetSession, 'project' | 'stack'>, seat: string, readOnly: boolean): JobMount[] {
  const labels = { [LABEL.project]: fleet.project.name, [LABEL.fleet]: fleet.stack, 'com.docker.stack.namespace': fleet.stack, [LABEL.fleetSeat]: seat };
  return DISK_DIRS[fleet.project.persistence].map((d) => ({ source: `${fleet.stack}_${seat}-${d}`, target: `${SEAT_DISK}/${d}`, readOnly, labels }));
}
