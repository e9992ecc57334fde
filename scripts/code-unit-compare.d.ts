/** Types of scripts/code-unit-compare.js (plain JavaScript: the build runs it without a TypeScript loader). */
export function withCodeUnitCompare (text: string): { text: string, calls: number }
