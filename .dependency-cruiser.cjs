/**
 * The house rules `npm run check` enforces (dependency-cruiser): workspaces meet only through their
 * package exports, production code never reaches for test code, and no module imports itself round
 * a circle.
 */
const WORKSPACE = '^(packages/[^/]+|services/[^/]+|tools|tests)/'
const PRODUCTION = '^(packages/(?!testkit/)[^/]+|services/[^/]+)/src/'

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import circle: a type or function lives in the wrong file (move it below both).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'workspaces-meet-through-exports',
      comment:
        'A relative import into another workspace: import its package name (@healthstream/...) and what its exports offer.',
      severity: 'error',
      from: { path: WORKSPACE },
      to: { dependencyTypes: ['local'], dependencyTypesNot: ['aliased-workspace'], pathNot: '^$1' },
    },
    {
      name: 'production-never-imports-test-code',
      comment: 'Production modules must not import the testkit, tools or any test folder.',
      severity: 'error',
      from: { path: PRODUCTION },
      to: { path: '^(packages/testkit/|tools/|tests/|(packages|services)/[^/]+/test/)' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^\\.stack/' },
    // Packages are linked into node_modules; follow the links to the files they are.
    preserveSymlinks: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
}
