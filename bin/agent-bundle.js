// The bundled agent (dist/mesh-agent.cjs, built by scripts/build-agent.js) and
// the rule that decides whether bin/mesh-agent.js may run it: only while every
// file it was built from still has the content it was built from. The build
// writes a manifest beside the bundle with, for each input (the project's
// sources, every dependency file esbuild read, package.json, both lockfiles,
// tsconfig.json, the build script) and for the bundle itself, its size, its
// mtime and the SHA-256 of the bytes that went into the bundle. A file whose
// size and mtime are unchanged is taken as unchanged; any other is hashed.
// A missing manifest, a missing or changed input, or a changed bundle makes the
// bundle stale, and the caller runs the TypeScript sources instead.
//
// Plain JavaScript without static imports of Node modules: it runs in every
// agent before the agent itself, and `process.getBuiltinModule` loads a Node
// module without the ES-module wrapper, which for some modules reads every
// lazily loaded export (node:fs loads fs/promises and streams that way).
export const BUNDLE_FILE = 'dist/mesh-agent.cjs'
export const MANIFEST_FILE = 'dist/mesh-agent.inputs.json'
export const MANIFEST_VERSION = 1

const fs = () => process.getBuiltinModule('node:fs')
const path = process.getBuiltinModule('node:path')

/** SHA-256 of `bytes`, hex. */
export function sha256Hex (bytes) {
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(bytes).digest('hex')
}

/** `[size, mtimeMs, sha256]` of the file at `abs`, from one open file descriptor. */
export function fingerprint (abs) {
  const fd = fs().openSync(abs, 'r')
  try {
    const st = fs().fstatSync(fd)
    const bytes = fs().readFileSync(fd)
    return { entry: [st.size, st.mtimeMs, sha256Hex(bytes)], bytes }
  } finally {
    fs().closeSync(fd)
  }
}

/** Why the file `rel` (under `root`) no longer matches its manifest entry, or undefined if it does. */
function changed (root, rel, [size, mtimeMs, hash]) {
  let st
  try {
    st = fs().statSync(path.join(root, rel))
  } catch {
    return `${rel} is missing`
  }
  if (st.size === size && st.mtimeMs === mtimeMs) return undefined
  if (st.size !== size) return `${rel} changed`
  return sha256Hex(fs().readFileSync(path.join(root, rel))) === hash ? undefined : `${rel} changed`
}

/**
 * Why the bundle under `root` may not run, or undefined if it may.
 * @param {string} root - the project folder
 * @returns {string | undefined}
 */
export function bundleStaleness (root) {
  let manifest
  try {
    manifest = JSON.parse(fs().readFileSync(path.join(root, MANIFEST_FILE), 'utf8'))
  } catch {
    return `${MANIFEST_FILE} is missing or unreadable`
  }
  if (manifest?.version !== MANIFEST_VERSION || manifest.bundle === undefined || typeof manifest.inputs !== 'object') {
    return `${MANIFEST_FILE} has an unknown format`
  }
  const bundle = changed(root, BUNDLE_FILE, manifest.bundle)
  if (bundle !== undefined) return bundle
  for (const [rel, entry] of Object.entries(manifest.inputs)) {
    const why = changed(root, rel, entry)
    if (why !== undefined) return why
  }
  return undefined
}
