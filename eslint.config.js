// Lint rules. The important ones are mechanical guards of the house rule
// "the core is pure": agent/core may not read clocks, draw randomness, set
// timers, or import I/O libraries. The simulator is only honest if this holds.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const impure = [
  { name: 'Date', message: 'agent/core is pure: take time as an Instant argument.' },
  { name: 'setTimeout', message: 'agent/core is pure: return a wake effect instead.' },
  { name: 'setInterval', message: 'agent/core is pure: return a wake effect instead.' },
  { name: 'setImmediate', message: 'agent/core is pure: return a wake effect instead.' },
  { name: 'clearTimeout', message: 'agent/core is pure.' },
  { name: 'clearInterval', message: 'agent/core is pure.' },
  { name: 'performance', message: 'agent/core is pure: take time as an Instant argument.' },
  { name: 'process', message: 'agent/core is pure: no process access.' },
  { name: 'fetch', message: 'agent/core is pure: no I/O.' },
  { name: 'crypto', message: 'agent/core is pure: take randomness as an Rng argument.' },
  { name: 'AbortSignal', message: 'agent/core is pure: no timers.' }
]

const impureImports = {
  paths: [],
  patterns: [
    { group: ['node:*', 'fs', 'net', 'os', 'child_process', 'timers', 'crypto', 'dgram', 'http', 'https'], message: 'agent/core is pure: no Node I/O modules.' },
    { group: ['libp2p', '@libp2p/*', '@chainsafe/*', 'level', 'classic-level', 'execa', 'pino'], message: 'agent/core is pure: I/O libraries belong in agent/runtime or agent/store.' },
    { group: ['**/runtime/**', '**/store/**', '**/sim/**', '**/test/**'], message: 'Dependencies point one way: agent/runtime -> agent/core -> protocols.' }
  ]
}

export default tseslint.config(
  { ignores: ['node_modules/**', '.tmp/**', 'dist/**', 'coverage/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', performance: 'readonly', structuredClone: 'readonly' } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/sim/**', '**/test/**'], message: 'Nothing imports sim or test.' }] }]
    }
  },
  {
    files: ['agent/core/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...impure],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'agent/core is pure: take randomness as an Rng argument.' }],
      'no-restricted-imports': ['error', impureImports]
    }
  },
  {
    // Tests, benchmarks and the simulator may import anything.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'sim/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' }
  }
)
