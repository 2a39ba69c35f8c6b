// The layering of the code, checked by dependency-cruiser (`npm run lint:deps`, and by scripts/test.sh
// right after the typecheck). `node .dependency-cruiser.cjs` prints the rules as a table.
//
// Layers, lowest first. A module may import from its own layer and the ones below, never from one above;
// folders in one layer that must not know each other are listed as peers below.
const LAYERS = [
  ['core'],
  ['wire', 'access', 'backends'],
  ['authz', 'extproc', 'envoy'],
  ['launcher'],
  ['cli'],
];
// Not product code. bin/ (the entry point, imports cli/) is product code outside the layers.
const TEST_CODE = ['test', 'testkit', 'bench'];

const dirs = (names) => `^(${names.join('|')})/`;
const above = (i) => LAYERS.slice(i + 1).flat();
const PRODUCT = dirs([...LAYERS.flat(), 'bin']);
const KNOWN = dirs([...LAYERS.flat(), 'bin', ...TEST_CODE]);

const LAYER_NAMES = ['core', 'wire-access-backends', 'services-envoy', 'launcher', 'cli'];
const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `no-upward-from-${LAYER_NAMES[i]}`,
  severity: 'error',
  comment: `${layer.join('/, ')}/ (layer ${i + 1} of ${LAYERS.length}) may not import a higher layer: ${above(i).join('/, ')}/`,
  from: { path: dirs(layer) },
  to: { path: dirs(above(i)) },
}));

const peer = (name, a, b, comment) => ({
  name,
  severity: 'error',
  comment,
  from: { path: dirs(a) },
  to: { path: dirs(b) },
});

const sibling = (name, a, b) => ({
  name,
  severity: 'warn',
  comment: `same layer, no peer rule: ${a.join('/, ')}/ importing ${b.join('/, ')}/ is allowed but reported`,
  from: { path: dirs(a) },
  to: { path: dirs(b) },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'product code has no circular imports (type-only imports count)',
      from: { path: PRODUCT },
      to: { circular: true },
    },
    ...layerRules,
    peer('peer-authz-extproc', ['authz'], ['extproc'], 'the two services never import each other: authz/ may not import extproc/'),
    peer('peer-extproc-authz', ['extproc'], ['authz'], 'the two services never import each other: extproc/ may not import authz/'),
    peer('peer-access-backends', ['access'], ['backends'], 'access/ (who may do what) may not import backends/'),
    peer('peer-backends-access', ['backends'], ['access'], 'backends/ (talking to a backend) may not import access/'),
    peer(
      'envoy-needs-only-wire-and-core',
      ['envoy'],
      ['authz', 'extproc', 'access', 'backends'],
      'envoy/ needs only wire/ names and core/: it may not import authz/, extproc/, access/ or backends/',
    ),
    // Same layer, no peer rule: allowed, but warned about, so that each such import is a decision
    // (the strict reading of the layers, "own folder or lower layers", would forbid these too).
    sibling('sibling-wire-access-backends', ['wire'], ['access', 'backends']),
    sibling('sibling-access-backends-wire', ['access', 'backends'], ['wire']),
    sibling('sibling-service-envoy', ['authz', 'extproc'], ['envoy']),
    {
      name: 'product-imports-no-test-code',
      severity: 'error',
      comment: 'product code (everything but test/, testkit/, bench/) never imports test/, testkit/ or bench/',
      from: { pathNot: dirs(TEST_CODE) },
      to: { path: dirs(TEST_CODE) },
    },
    {
      name: 'kit-imports-no-tests',
      severity: 'error',
      comment: 'bench/ and testkit/ never import test/',
      from: { path: dirs(['bench', 'testkit']) },
      to: { path: dirs(['test']) },
    },
    {
      name: 'no-unlayered-folder',
      severity: 'error',
      comment: `a relative import of a folder that is in no layer: put new code in ${LAYERS.flat().join('/, ')}/ (or add the folder to LAYERS)`,
      from: {},
      to: { dependencyTypes: ['local'], pathNot: KNOWN },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'an import dependency-cruiser cannot resolve (so it cannot check it either)',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Cruises `.`: not the installed packages, dot-folders (.git, scratch) or what a local run leaves (data/, tmp/).
    exclude: { path: '^(node_modules|data|tmp|\\.[^/]*)/' },
    // Type-only imports are dependencies too: a layer may not even name a higher layer's types.
    tsPreCompilationDeps: true,
    // Imports name the .ts file (allowImportingTsExtensions); resolved with the project's compiler options.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

if (require.main === module) {
  const folders = (re) => re.replace(/^\^\(|\)\/$/g, '').split('|').map((d) => `${d}/`).join(' ');
  const where = (side) =>
    side.circular ? '(a cycle)'
    : side.couldNotResolve ? '(unresolvable)'
    : side.path ? folders(side.path)
    : side.pathNot ? `all but ${folders(side.pathNot)}`
    : 'anything';
  const rows = module.exports.forbidden.map((r) => [r.name, r.severity, where(r.from), where(r.to)]);
  const head = ['rule', 'severity', 'from', 'may not import'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(width[i])).join('  ').trimEnd();
  console.log([line(head), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
}
