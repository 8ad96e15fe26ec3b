/**
 * `npm run demo`: the bundled action end to end, exactly as a GitHub runner runs it, against the
 * RunCloud simulator on loopback, in a temporary git repository with a two-commit history of
 * domains.yml. First `plan` on a pull request, then `apply` on the push. Offline, no account.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { ACTION_ENTRY, ROOT, runAction } from '../test-support/action-runner.js'
import { demoWorld } from '../test-support/demo-world.js'
import { startFakeGitHub } from '../test-support/fake-github.js'

const tty = process.stdout.isTTY && !process.env.NO_COLOR
const bold = (s: string) => (tty ? `\u001b[1m${s}\u001b[0m` : s)
const dim = (s: string) => (tty ? `\u001b[2m${s}\u001b[0m` : s)
const rule = (title: string) =>
  console.log(`\n${bold(`━━ ${title} ${'━'.repeat(Math.max(0, 70 - title.length))}`)}`)

/** Markdown made readable in a terminal: no HTML tags, no entity noise. */
function terminalMarkdown(md: string): string {
  return md
    .replace(/<\/?sub>/g, '')
    .replace(/\[Run log\]\([^)]*\)/g, '')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/^(#+ .*)$/gm, h => bold(h))
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

function printState(world: Awaited<ReturnType<typeof demoWorld>>, title: string): void {
  rule(title)
  for (const d of world.sim.domains(world.serverId, world.appId)) {
    console.log(
      `  ${d.type === 'primary' ? '★' : '•'} ${d.name.padEnd(30)} ${d.type.padEnd(8)} www ${d.www ? 'on ' : 'off'}  redirect ${d.redirection}`
    )
  }
}

if (!existsSync(ACTION_ENTRY)) {
  console.log('dist/index.js is missing: building it first (npm run build)…')
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' })
}

const started = Date.now()
const world = await demoWorld()
// A fake GitHub on loopback keeps the record (deployments), the pull request and its plan comment.
const gh = await startFakeGitHub()
gh.gitDir = world.repo.dir
gh.pulls.push({ number: 1, merge_commit_sha: world.repo.shas[1] as string })
try {
  console.log(bold('RunCloud Domains Action — demo'))
  console.log(dim(`simulated RunCloud at ${world.sim.url}; workspace ${world.repo.dir}`))
  console.log(
    dim(
      `history: ${world.repo.shas.map(s => s.slice(0, 7)).join(' → ')} (domains.yml changed in the second commit)`
    )
  )
  printState(world, 'RunCloud before')

  const common = {
    workspace: world.repo.dir,
    githubApiUrl: gh.url,
    env: { ...world.env, GITHUB_REF: 'refs/heads/main' }
  }
  const inputs = { 'api-token': world.sim.token, 'api-url': world.sim.url }

  world.sim.resetCalls()
  const planRun = await runAction({
    ...common,
    eventName: 'pull_request',
    payload: {
      number: 1,
      pull_request: { number: 1, base: { sha: world.repo.shas[0] }, head: { sha: world.repo.shas[1] } }
    },
    inputs: { ...inputs, mode: 'plan' }
  })
  rule(
    `1. pull request → mode: plan (exit ${planRun.exitCode}, ${world.sim.calls} RunCloud calls, all reads)`
  )
  console.log(terminalMarkdown(planRun.summary))

  world.sim.resetCalls()
  const applyRun = await runAction({
    ...common,
    eventName: 'push',
    payload: { before: world.repo.shas[0] },
    inputs: { ...inputs, mode: 'apply' }
  })
  rule(`2. merge → mode: apply (exit ${applyRun.exitCode}, ${world.sim.calls} RunCloud calls)`)
  console.log(terminalMarkdown(applyRun.summary))
  rule('outputs')
  for (const name of ['has-changes', 'added', 'updated', 'removed', 'failed', 'fingerprint'])
    console.log(`  ${name.padEnd(12)} ${applyRun.outputs[name]}`)

  rule('the record: GitHub deployments and the reviewed plan')
  for (const d of gh.deployments)
    console.log(
      `  deployment #${d.id} of ${d.sha.slice(0, 7)} to ${d.environment} (task ${d.task}): ${d.statuses.map(s => s.state).join(' → ')} — ${d.statuses.at(-1)?.description ?? ''}`
    )
  const marker = /fingerprint=([0-9a-f]{12})/.exec(gh.comments[0]?.body ?? '')?.[1]
  console.log(
    `  plan comment on #1 carries fingerprint ${marker ?? '(none)'}; the apply's plan is ${applyRun.outputs.fingerprint?.slice(0, 12)}`
  )

  printState(world, 'RunCloud after')
  const ssl = world.sim.state.app(world.serverId, world.appId)?.sslEvents ?? []
  // The simulator logs `redeploy`, `redeploy <domain>` or `install <domain>`: say what happened.
  const done = ssl.map(e => e.replace(/^(redeploy|install)\b/, m => `${m}ed`))
  console.log(`  certificate: ${done.length ? done.join(', ') : 'untouched'}`)

  world.sim.resetCalls()
  const again = await runAction({
    ...common,
    eventName: 'push',
    payload: { before: world.repo.shas[0] },
    inputs: { ...inputs, mode: 'apply' }
  })
  const writes = world.sim.callLog.filter(c => c.method !== 'GET' && /\/domains/.test(c.path)).length
  rule('3. the same push again')
  console.log(
    `  exit ${again.exitCode}, has-changes ${again.outputs['has-changes']}, ${writes} domain writes: re-runs are idempotent`
  )
  console.log(
    `  base: ${/Base: the manifest of the last successful apply[^\n]*/.exec(terminalMarkdown(again.summary))?.[0] ?? 'the event’s base'}`
  )
  console.log(dim(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s`))
  if (planRun.exitCode || applyRun.exitCode || again.exitCode) process.exitCode = 1
} finally {
  await world.close()
  await gh.close()
}
