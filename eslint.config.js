// The lint that keeps the layering honest: typescript-eslint's recommended rules, and the
// dependency directions the README's architecture section writes down, as import rules.
// The web app (apps/web) is not linted here.
import { readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
/** An absolute path (or glob) under apps/api/src: the zones below compare resolved paths. */
const src = (...segments) => path.join(root, 'apps/api/src', ...segments);

/** The API's top-level folders; everything but the shared ones below is a domain. */
const apiFolders = readdirSync(src(), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const SHARED = ['common', 'config', 'database'];
const domains = apiFolders.filter((folder) => !SHARED.includes(folder));

/** Test and tool code may reach anything: it sets up databases and drives the app from outside. */
const TOOLS = ['**/*.test.ts', 'apps/api/bench/**', 'apps/api/faults/**', 'apps/api/testing/**'];

/**
 * `*.repository.ts` is imported only from its own top-level folder (quota's subfolders are one
 * domain), except `exception.file` (a path under src/) by the files of `exception.folder`.
 */
function repositoryZones(exception = null) {
  const message = "A repository belongs to its domain: go through that domain's service.";
  const zones = apiFolders.map((folder) => {
    if (exception?.folder !== folder) return { target: src(folder), from: [src(`!(${folder})`, '**/*.repository.ts')], message };
    const [domain] = exception.file.split('/');
    const allowed = path.basename(exception.file, '.repository.ts');
    const from = [src(`!(${folder}|${domain})`, '**/*.repository.ts'), src(domain, '**', `!(${allowed}).repository.ts`)];
    return { target: src(folder), from, message };
  });
  // The composition files at the root of src/ (app module, bootstrap) wire modules, not tables.
  zones.push({ target: src('*.ts'), from: [src('**/*.repository.ts')], message: 'Wire modules here, not repositories.' });
  return zones;
}

const layeringZones = [
  {
    target: src('common'),
    from: domains.map((domain) => src(domain)),
    message: 'common/ is below every domain: define an interface or token in common/ and let the domain provide it.',
  },
  {
    target: path.join(root, 'packages'),
    from: path.join(root, 'apps'),
    message: 'Packages are shared by the apps and import none of them.',
  },
];

/** Values that run SQL; their types stay importable anywhere. */
const sqlOutsideRepositories = {
  paths: [
    { name: 'drizzle-orm', allowTypeImports: true, message: 'SQL lives in *.repository.ts: add a repository method and call it.' },
    { name: 'pg', message: 'Connections are opened in database/ only.' },
    { name: '@electric-sql/pglite', message: 'Connections are opened in database/ only.' },
  ],
  patterns: [
    { group: ['drizzle-orm/*'], allowTypeImports: true, message: 'SQL lives in *.repository.ts: add a repository method and call it.' },
    {
      group: ['**/database/schema.js'],
      // The enumerations (NOTIFICATION_KINDS, …) and the row types are not SQL; the tables are.
      allowImportNamePattern: '^[A-Z][A-Z0-9_]*$',
      allowTypeImports: true,
      message: 'Tables are queried in *.repository.ts only.',
    },
  ],
};

/** What a pure package may not import: Node's I/O and the libraries that talk to the outside. */
const IO_PACKAGES = ['pg', 'drizzle-orm', 'drizzle-orm/*', '@nestjs/*', '@electric-sql/*', 'ioredis', 'bullmq', 'express', 'openai', 'piscina', 'cache-manager', '@keyv/*', 'keyv', 'argon2'];

export default defineConfig(
  { ignores: ['**/dist/**', '**/dist-tools/**', '**/node_modules/**', 'apps/web/**', 'apps/api/drizzle/**', '**/coverage/**', 'data/**'] },
  {
    files: ['**/*.{ts,js,mjs}'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.node },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['apps/api/tsconfig.json', 'apps/api/tsconfig.tools.json', 'packages/*/tsconfig.json'], noWarnOnMultipleProjects: true })] },
    rules: {
      // `_`-prefixed parameters are placeholders a signature requires.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'import-x/no-restricted-paths': ['error', { zones: layeringZones }],
    },
  },
  {
    files: ['apps/api/src/**/*.{ts,js}'],
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: [...layeringZones, ...repositoryZones()] }],
      '@typescript-eslint/no-restricted-imports': ['error', sqlOutsideRepositories],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='execute']", message: 'SQL lives in *.repository.ts: add a repository method and call it.' },
      ],
    },
  },
  {
    // A module-level pipe used only in parameter decorators (`@Param('id', ownId)`) is reported
    // as never read: ESLint's scope analysis does not see decorator arguments (typescript-eslint#12407).
    files: ['apps/api/src/**/*.controller.ts'],
    rules: { 'no-useless-assignment': 'off' },
  },
  {
    // The one import across domains of a repository, on purpose: a chat turn's messages are
    // written by the ledger's statement, and `AttachedWrite` + `ledgerChange` are its public face.
    files: ['apps/api/src/chat/chat.repository.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        { zones: [...layeringZones, ...repositoryZones({ folder: 'chat', file: 'quota/ledger/ledger.repository.ts' })] },
      ],
    },
  },
  {
    files: ['apps/api/src/**/*.repository.ts', 'apps/api/src/database/**', ...TOOLS],
    rules: { '@typescript-eslint/no-restricted-imports': 'off', 'no-restricted-syntax': 'off' },
  },
  {
    files: TOOLS,
    rules: { 'import-x/no-restricted-paths': ['error', { zones: layeringZones }] },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: builtinModules.map((name) => ({ name, message: 'Packages are pure: no I/O.' })),
          patterns: [
            { group: ['node:*'], message: 'Packages are pure: no I/O.' },
            { group: IO_PACKAGES, message: 'Packages are pure: no I/O.' },
          ],
        },
      ],
    },
  },
);
