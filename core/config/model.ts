// Builds the runtime model from a validated, reference-resolved document: each section builds its own
// top-level keys (camelCase, defaults applied, values parsed and paths made absolute).
import { SECTIONS, type GatewayConfig, type RawConfig } from './sections/index.ts';

export { filesystemBackend, withoutLauncherProblem } from './sections/backends.ts';
export { shownRegion } from './sections/listen.ts';

export function toModel(raw: RawConfig, baseDir: string): GatewayConfig {
  const ctx = { baseDir };
  // Sections own disjoint keys, so their parts merge without overlap into the whole model.
  return Object.assign({}, ...SECTIONS.map((s) => s.toModel(raw, ctx))) as GatewayConfig;
}
