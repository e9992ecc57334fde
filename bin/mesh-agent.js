#!/usr/bin/env node
// mesh-agent: loads the TypeScript source through tsx's loader (no build step)
// and runs it. The project's own tsconfig is named explicitly so that a
// tsconfig.json in the caller's working directory cannot change compilation.
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) })
await import('../agent/cli/mesh-agent-main.ts')
