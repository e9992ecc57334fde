/**
 * The runner against real processes: its result has the same shape whether
 * the command succeeded, failed, timed out or could not start.
 */
import { describe, expect, it } from 'vitest'
import { CommandFailedError, createRunner, okOrThrow } from '../../host-bridge/index.js'

describe('host bridge runner', () => {
  it('should map a success, a failure, a timeout and a missing program to one result shape', async () => {
    const r = createRunner()
    const ok = await r.run('echo', ['a;b', '$(id)'], { timeoutMs: 5_000 })
    expect(ok).toMatchObject({ command: ['echo', 'a;b', '$(id)'], exitCode: 0, stdout: 'a;b $(id)', stderr: '', timedOut: false })
    const failed = await r.run('ls', ['/does/not/exist'], { timeoutMs: 5_000 })
    expect(failed).toMatchObject({ exitCode: 2, timedOut: false, stderr: expect.stringContaining('No such file') })
    const slow = await r.run('sleep', ['5'], { timeoutMs: 100 })
    expect(slow).toMatchObject({ exitCode: undefined, timedOut: true })
    expect(slow.durationMs).toBeLessThan(4_000)
    const missing = await r.run('/nonexistent/zfs', ['list'], { timeoutMs: 5_000 })
    expect(missing).toMatchObject({ exitCode: undefined, timedOut: false, stderr: expect.stringContaining('ENOENT') })
    expect(r.stats.commandsRun).toBe(4)
  })

  it('should turn a failed result into a CommandFailedError naming the command and its stderr', async () => {
    const r = createRunner()
    const failed = await r.run('ls', ['/does/not/exist'], { timeoutMs: 5_000 })
    expect(() => okOrThrow(failed)).toThrow(CommandFailedError)
    expect(() => okOrThrow(failed)).toThrow(/^ls \/does\/not\/exist exited 2: .*No such file/)
    expect(() => okOrThrow({ ...failed, exitCode: undefined, timedOut: true })).toThrow(/timed out/)
  })

  it('should stop a command when the caller aborts', async () => {
    const r = createRunner()
    const controller = new AbortController()
    const running = r.run('sleep', ['5'], { timeoutMs: 10_000, signal: controller.signal })
    controller.abort()
    const res = await running
    expect(res.exitCode).toBeUndefined()
    expect(res.durationMs).toBeLessThan(4_000)
  })
})
