import { execFile } from 'node:child_process'

export interface GitResult {
  ok: boolean
  stdout: string
  stderr: string
}

/** Run git in `cwd` without a shell, `input` on its standard input; never throws (the caller decides what a failure means). */
export function git(cwd: string, args: string[], timeoutMs = 60_000, input?: string): Promise<GitResult> {
  return new Promise(resolve => {
    const child = execFile(
      'git',
      args,
      {
        cwd,
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }
      },
      (error, stdout, stderr) => resolve({ ok: !error, stdout: String(stdout), stderr: String(stderr) })
    )
    if (input !== undefined) {
      // A git that exits before reading its input (an option it does not know) must not crash the
      // run with EPIPE: its exit status says it failed.
      child.stdin?.on('error', () => {})
      child.stdin?.end(input)
    }
  })
}
