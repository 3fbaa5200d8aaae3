// The repository a VM's image lives in: its build (`:latest`) and its snapshots (`:snap-…`).
// Namespaced so that a VM called `debian` or `ubuntu` never takes the official image's place: with a
// bare `debian:latest`, `docker compose up` would run the user's debian:latest instead of building,
// and `--build` would overwrite that tag.
export const VM_REPOSITORY_NAMESPACE = 'dockervm';

export const vmRepository = (projectName: string) => `${VM_REPOSITORY_NAMESPACE}/${projectName}`;
