// Rewrites `x.localeCompare(y)` into a comparison of UTF-16 code units, for the
// dependency files that scripts/build-agent.js lists in LOCALE_COMPARE_FILES
// (why: see there). Only calls with one argument are rewritten, and only when
// both operands are plain names, property chains or calls without arguments,
// so that the rewrite cannot change what is evaluated; a call with locales or
// options keeps its meaning. The helper is put on the file's first line, so
// line numbers stay as they were.

const OPERAND = String.raw`[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*(?:\(\))?)*`
// The lookbehind keeps a match from starting inside a longer expression (`x[0].name`, `f(a).name`, `a?.name`).
const CALL = new RegExp(String.raw`(?<![\w$.\])])(${OPERAND})\.localeCompare\((${OPERAND})\)`, 'g')
const HELPER = 'const __codeUnitCompare = (a, b) => a < b ? -1 : a > b ? 1 : 0; '

/**
 * @param {string} text - JavaScript source of an ES module
 * @returns {{ text: string, calls: number }} the rewritten source, and how many calls were rewritten
 */
export function withCodeUnitCompare (text) {
  let calls = 0
  const out = text.replace(CALL, (_, a, b) => {
    calls++
    return `__codeUnitCompare(${a}, ${b})`
  })
  return { text: calls === 0 ? text : HELPER + out, calls }
}
