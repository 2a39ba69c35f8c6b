// A rule's `resources`: globs over `bucket` and `bucket/key`, with the principal's name and groups
// filled in (one glob per group for ${principal.groups}; none when it has no group), and how a glob
// applies to each resource scope of the action table.
import { compileGlob, type Glob } from '../../core/glob.ts';
import type { ResourceScope } from '../../core/s3/actions.ts';

export interface TemplatePrincipal {
  name: string;
  groups: readonly string[];
}

/** Each resource template as globs for this principal. */
export function bindResources(templates: readonly string[], principal: TemplatePrincipal): Glob[] {
  return templates.flatMap((t) => {
    const named = t.replaceAll('${principal.name}', principal.name);
    const each = named.includes('${principal.groups}') ? principal.groups.map((g) => named.replaceAll('${principal.groups}', g)) : [named];
    return each.map(compileGlob);
  });
}

/** What a request touches: its bucket and, by scope, one key or every key under a prefix. */
export interface ResourceTarget {
  scope: ResourceScope;
  bucket: string;
  key: string;
  prefix: string;
  /** The one string a glob must match, for a service, bucket or object target (singleResource()); none for `keys` and `any`. */
  single: string | undefined;
}

/**
 * Whether a glob applies to the target. An allow must cover all of a `keys` target (every key under
 * the prefix) while a deny applies when it touches any of it: a listing or batch that would reach a
 * denied key is denied whole. `any` (HeadBucket) is allowed by a grant on the bucket or on anything
 * in it, and denied only by a deny on the bucket itself.
 */
export function globApplies(glob: Glob, target: ResourceTarget, effect: 'allow' | 'deny'): boolean {
  if (target.single !== undefined) return glob.matches(target.single);
  const { bucket } = target;
  if (target.scope === 'keys') return effect === 'allow' ? glob.covers(`${bucket}/${target.prefix}`) : glob.touches(`${bucket}/${target.prefix}`);
  return glob.matches(bucket) || (effect === 'allow' && glob.touches(`${bucket}/`)); // any
}

/** '' for a service target, the bucket for a bucket's, `bucket/key` for an object's; undefined for `keys` and `any` (a prefix, not one string). */
export function singleResource(scope: ResourceScope, bucket: string, key: string): string | undefined {
  switch (scope) {
    case 'service':
      return '';
    case 'bucket':
      return bucket;
    case 'object':
      return `${bucket}/${key}`;
    default:
      return undefined;
  }
}
