/** Wait for a condition with a deadline: the only way tests synchronise. */
export async function waitFor (what: string, cond: () => boolean | Promise<boolean>, deadlineMs = 20_000, pollMs = 50): Promise<void> {
  const until = Date.now() + deadlineMs
  for (;;) {
    if (await cond()) return
    if (Date.now() > until) throw new Error(`timed out after ${deadlineMs} ms waiting for: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}
