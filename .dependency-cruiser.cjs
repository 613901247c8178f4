/**
 * Slipway's layering, checked by `npm run lint` (part of `npm test`):
 *   shared/  ← electron/{lib,process} ← electron/backend ← electron/{jobs,helper,remote} ← capabilities ← electron/{app,web,main,cli}
 * with capabilities apart from each other but for declared interfaces,
 * and the renderer talks to the backend only through the contract in shared/.
 * Tests and test-support/ may reach across (they wire fixtures); product code may not reach them.
 */
const tests = '(\\.test\\.tsx?$|/test-support/|^e2e/)';
const capabilities = '^electron/(builds|deploy|publish|boot|apps|containers|nodes|readiness|terminal|helper|remote)/';
const tops = '^electron/(app|transport|web|main|cli|preload|mock)/';
/** Below the capabilities, for all of them: the job engine, the privileged helper, the node-script builder. */
const engine = '^electron/(jobs|helper|remote)/';
const capabilityNames = 'builds|deploy|publish|boot|apps|containers|nodes|readiness|terminal';
/** What a capability offers the others; everything else of it is its own. */
const declaredInterfaces = ['^electron/nodes/ssh-error\\.ts$'];

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'A cycle makes two modules one; break it by moving the shared part down.', from: {}, to: { circular: true } },
    {
      name: 'shared-is-the-bottom',
      severity: 'error',
      comment: 'shared/ is the contract both sides load: it imports nothing of theirs.',
      from: { path: '^shared/' },
      to: { path: '^(electron|renderer|e2e)/' },
    },
    {
      name: 'renderer-only-through-the-contract',
      severity: 'error',
      comment: 'The renderer never touches Node, files or SSH: no backend module, no Node built-in, no electron.',
      from: { path: '^renderer/', pathNot: tests },
      to: { pathNot: '^(renderer|shared)/|^node_modules/', dependencyTypesNot: ['npm', 'npm-dev', 'type-only'] },
    },
    {
      name: 'renderer-no-node-builtins',
      severity: 'error',
      from: { path: '^renderer/', pathNot: tests },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'lib-and-process-are-low',
      severity: 'error',
      comment: 'Generic helpers know no capability.',
      from: { path: '^electron/(lib|process)/', pathNot: tests },
      to: { path: `${capabilities}|${tops}|^electron/backend/` },
    },
    {
      name: 'backend-knows-no-capability',
      severity: 'error',
      comment: 'What services see of the backend (bus, Backend interface, paths) is below the services; the composition root is electron/app/.',
      from: { path: '^electron/backend/', pathNot: tests },
      to: { path: `${capabilities}|${tops}` },
    },
    {
      name: 'engine-below-capabilities',
      severity: 'error',
      comment: 'The job engine, the helper and the script builder serve every capability and know none.',
      from: { path: engine, pathNot: tests },
      to: { path: `^electron/(${capabilityNames})/` },
    },
    {
      name: 'capabilities-apart',
      severity: 'error',
      comment: 'A capability reaches another only through a declared interface (the composition root wires them).',
      from: { path: `^electron/(${capabilityNames})/`, pathNot: tests },
      to: { path: `^electron/(${capabilityNames})/`, pathNot: ['^electron/$1/', ...declaredInterfaces] },
    },
    {
      name: 'capabilities-not-up',
      severity: 'error',
      comment: 'A service never imports the composition root, a transport, the window or the CLI.',
      from: { path: capabilities, pathNot: tests },
      to: { path: tops },
    },
    {
      name: 'capabilities-not-electron',
      severity: 'error',
      comment: 'Services run in the web console and the CLI too: the electron module belongs to electron/main and preload.',
      from: { path: `${capabilities}|^electron/(backend|lib|process|app|transport|web|cli)/`, pathNot: tests },
      to: { path: '^node_modules/electron/' },
    },
    {
      name: 'no-fixtures-in-product',
      severity: 'error',
      comment: 'Fixtures and tests are never bundled.',
      from: { pathNot: tests },
      to: { path: tests },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] },
  },
};
