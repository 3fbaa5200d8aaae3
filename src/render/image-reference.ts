// The FROM reference of an image: `tag@sha256:…` when pinned, the bare tag otherwise.
import { formatReference, parseReference } from '../registry/reference.ts';
import type { BaseImage } from '../vmspec/types.ts';

export function fromReference(image: BaseImage): string {
  if (!image.digest) return image.reference;
  return formatReference(parseReference(image.reference), { digest: image.digest });
}
