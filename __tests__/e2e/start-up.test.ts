/**
 * What a run starts before it reads the head: the event's base is read from the checkout by one git
 * process while GitHub is still answering for the last-applied record, and it is not read a second
 * time when the record gives no other base.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction } from '../../test-support/action-runner.js'
import { startFakeGitHub } from '../../test-support/fake-github.js'
import { makeRepo } from '../../test-support/git-repo.js'
import { manifest } from '../../test-support/manifest-text.js'

const LATENCY_MS = 600

it('a plan on a pull request reads its base from git while GitHub answers for the record, with one git process', async () => {
  // A git first on PATH that logs when it starts (ms since the epoch) and its arguments.
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim()
  const shim = mkdtempSync(join(tmpdir(), 'rcd-git-count-'))
  const log = join(shim, 'log')
  writeFileSync(log, '')
  writeFileSync(
    join(shim, 'git'),
    `#!/bin/sh\necho "$(date +%s%3N) $*" >> '${log}'\nexec '${realGit}' "$@"\n`
  )
  chmodSync(join(shim, 'git'), 0o755)
  const gh = await startFakeGitHub()
  gh.latencyMs = LATENCY_MS
  const r = makeRepo([
    { 'domains.yml': manifest({ server: 1, app: 2, domains: ['a.example.com'] }) },
    { 'domains.yml': manifest({ server: 1, app: 2, domains: ['a.example.com', 'b.example.com'] }) }
  ])
  try {
    // No apply is recorded yet: the pull request's base is the base.
    const run = await runAction({
      workspace: r.dir,
      sha: r.shas[1],
      eventName: 'pull_request',
      githubApiUrl: gh.url,
      payload: { pull_request: { base: { sha: r.shas[0] } } },
      inputs: { comment: 'false' },
      env: { PATH: `${shim}:${process.env.PATH ?? ''}` }
    })
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.outputs.added ?? '[]')).toEqual(['b.example.com'])
    expect(run.summary).toContain(`${(r.shas[0] as string).slice(0, 7)} (the pull request base)`)
    const record = gh.requests.find(q => q.path.includes('/deployments'))
    expect(record).toBeDefined()
    const calls = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map(line => ({
        at: Number(line.slice(0, line.indexOf(' '))),
        args: line.slice(line.indexOf(' ') + 1)
      }))
    expect(calls.map(c => c.args)).toEqual(['cat-file --batch-command --follow-symlinks'])
    // git started before GitHub's answer came back.
    expect(calls[0]!.at).toBeLessThan((record?.at ?? 0) + LATENCY_MS)
  } finally {
    await gh.close()
    r.cleanup()
    rmSync(shim, { recursive: true, force: true })
  }
})
