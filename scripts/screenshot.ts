/**
 * Makes docs/plan-comment.png for the README: runs the demo's pull request plan through the
 * bundled action, renders the markdown it writes (the job summary, which is the PR comment's
 * body) with GitHub-like styles, and photographs it with headless Chromium (Debian's `chromium`).
 * `npx tsx scripts/screenshot.ts`
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { marked } from 'marked'
import { ROOT, runAction } from '../test-support/action-runner.js'
import { demoWorld } from '../test-support/demo-world.js'

const world = await demoWorld({ latencyMs: 0 })
const tmp = mkdtempSync(join(tmpdir(), 'rcd-shot-'))
try {
  const run = await runAction({
    workspace: world.repo.dir,
    eventName: 'pull_request',
    payload: {
      number: 42,
      pull_request: { number: 42, base: { sha: world.repo.shas[0] }, head: { sha: world.repo.shas[1] } }
    },
    inputs: { mode: 'plan', 'api-token': world.sim.token, 'api-url': world.sim.url, comment: 'false' }
  })
  const body = await marked.parse(run.summary.replace(/> \[!WARNING\]\n/g, '> **Warning**\n'))
  const html = `<!doctype html><meta charset="utf-8"><style>
    body { font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; }
    .comment { margin: 16px; border: 1px solid #d1d9e0; border-radius: 6px; background: #fff; width: 880px; }
    .head { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px; border-radius: 6px 6px 0 0; color: #59636e; }
    .head b { color: #1f2328; }
    .body { padding: 8px 16px 16px; }
    h2 { font-size: 1.4em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; }
    h3 { font-size: 1.15em; }
    table { border-collapse: collapse; } th, td { border: 1px solid #d1d9e0; padding: 6px 13px; } th { background: #f6f8fa; }
    code { background: #eff1f3; border-radius: 6px; padding: .2em .4em; font-size: 85%; }
    sub { color: #59636e; } blockquote { border-left: .25em solid #9a6700; margin: 0; padding: 0 1em; color: #59636e; }
  </style><div class="comment"><div class="head"><b>github-actions</b> bot commented on pull request #42</div><div class="body">${body}</div></div>`
  const page = join(tmp, 'comment.html')
  writeFileSync(page, html)
  const out = join(ROOT, 'docs', 'plan-comment.png')
  execFileSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${join(tmp, 'profile')}`,
      '--hide-scrollbars',
      '--window-size=914,560',
      `--screenshot=${out}`,
      `file://${page}`
    ],
    { stdio: 'ignore' }
  )
  console.log(`wrote ${out}`)
} finally {
  await world.close()
  rmSync(tmp, { recursive: true, force: true })
}
