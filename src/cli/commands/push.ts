import { pushImage, tagImage } from '../../docker/images.ts';
import { findCredentials, serverKey } from '../../registry/credentials.ts';
import { InvalidReferenceError, parseReference } from '../../registry/reference.ts';
import { CLIError } from '../../errors.ts';
import type { Command } from '../command.ts';
import { openSession } from '../session.ts';
import { withSnapshotLock } from '../snapshot/lock.ts';
import { TAG_PREFIX } from '../snapshot/naming.ts';
import { findSnapshot, loadSnapshots } from '../snapshot/store.ts';

/** A registry's refusal says which credentials it refused, or how to give it some. */
function refused(error: unknown, source: string | undefined, server: string): unknown {
  if (!(error instanceof CLIError) || !/unauthori[sz]ed|authentication required|no basic auth|denied/i.test(error.message)) return error;
  return new CLIError(
    source
      ? `${error.message} (the credentials came from ${source})`
      : `${error.message} (no credentials for ${server} in the docker config: docker login ${server})`,
  );
}

export const command: Command = {
  name: 'push',
  summary: 'push a snapshot to a registry as <registry/repo:tag> (and its volume data as <tag>-volumes)',
  usage: 'push <registry/repo:tag> [--snapshot SNAPSHOT]',
  description: [
    'Tags the snapshot (default: current) as the reference and pushes it; the volume data goes along as',
    '<tag>-volumes, since a snapshot is both. Log in first (docker login) for registries that need it:',
    'the credentials come from the docker config as docker finds them (credHelpers, credsStore, auths).',
  ],
  options: {
    snapshot: { type: 'string', short: 's', value: 'SNAPSHOT', description: 'which snapshot (default: current)' },
  },
  positionals: { min: 1, max: 1 },
  examples: ['npx dockervm push registry.example.com/me/lab:2026-11-22', 'npx dockervm push 127.0.0.1:5000/lab:v1 --snapshot 20261122T10'],
  async run(ctx) {
    const target = ctx.positionals[0] ?? '';
    let ref;
    try {
      ref = parseReference(target);
    } catch (error) {
      if (error instanceof InvalidReferenceError) throw new CLIError(error.message);
      throw error;
    }
    if (ref.digest) throw new CLIError(`${target}: push to a tag, not a digest`);
    if (!target.includes('/'))
      throw new CLIError(`${target}: name the registry and repository (e.g. registry.example.com/me/${target}); pushing to Docker Hub needs a namespace too`);
    const tag = ref.tag ?? 'latest';
    const repository = target.slice(0, target.length - (ref.tag ? ref.tag.length + 1 : 0));
    const session = await openSession(ctx);
    const { engine, project, out } = session;
    const snapshot = await withSnapshotLock(session, 'push', async () => {
      const index = await loadSnapshots(engine, project);
      return findSnapshot(index, ctx.string('snapshot') ?? 'current', project.repository);
    });
    // Before the push, so a failing credential helper is one line and nothing was tagged yet.
    const credentials = await findCredentials(ctx.env, ref.domain);
    // The engine wants an X-Registry-Auth header even for an anonymous push.
    const auth = credentials.auth ?? { username: '', password: '', serveraddress: ref.domain };
    const pushed: { reference: string; digest: string | null }[] = [];
    for (const [imageId, reference] of [
      [snapshot.imageId, `${repository}:${tag}`],
      ...(snapshot.volumesImageId ? [[snapshot.volumesImageId, `${repository}:${tag}-volumes`]] : []),
    ] as [string, string][]) {
      await tagImage(engine, imageId, reference);
      const digest = await out
        .timed(`pushing ${reference}`, () => pushImage(engine, reference, auth, out.progress))
        .catch((error: unknown) => {
          throw refused(error, credentials.source, serverKey(ref.domain));
        });
      pushed.push({ reference, digest: digest ?? null });
    }
    return {
      data: { snapshot: snapshot.id, pushed },
      text: [`pushed ${TAG_PREFIX}${snapshot.id}:`, ...pushed.map((p) => `  ${p.reference}${p.digest ? `@${p.digest}` : ''}`)],
    };
  },
};
