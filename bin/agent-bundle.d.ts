/** Types of bin/agent-bundle.js (plain JavaScript: it runs before any TypeScript loader). */

/** `[size, mtimeMs, sha256 hex]` of one file, as the manifest records it. */
export type FileEntry = [size: number, mtimeMs: number, sha256: string]

export const BUNDLE_FILE: string
export const MANIFEST_FILE: string
export const MANIFEST_VERSION: number

export function sha256Hex (bytes: Uint8Array | string): string
export function fingerprint (abs: string): { entry: FileEntry, bytes: Buffer }
export function bundleStaleness (root: string): string | undefined
