import type { AppPlan, Change, Plan } from '../plan/model.js'
import type { LiveDomain, RunCloudApi } from '../runcloud/types.js'
import { BufferLogger, mapLimit, type Logger } from '../logger.js'
import { describeApp } from '../plan/model.js'
import { plain } from '../text/clean.js'
import { createProgress, type ProgressOutcome } from '../report/progress.js'
import { redeployCertificates } from './ssl.js'

export interface ApplyOptions {
  api: RunCloudApi
  log: Logger
  /** Apps applied at once (the client separately limits requests in flight). */
  concurrency: number
  /** The `ssl-redeploy` input: `never` keeps certificates alone even when this run added domains. */
  sslRedeploy: 'auto' | 'always' | 'never'
  /** Seconds between progress lines while several apps run in parallel. */
  progressEverySeconds?: number
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/**
 * Apply a plan (docs/architecture.md), writing each change's `result` and each app's `ssl.result`
 * into the plan. Per app: additions and updates, then removals, then SSL, one at a time
 * (RunCloud rewrites the app's web server configuration on each change); apps run in parallel.
 * Each operation succeeds or fails on its own; nothing here throws for a failed operation.
 */
export async function applyPlan(plan: Plan, opts: ApplyOptions): Promise<void> {
  const work = plan.apps.filter(a => a.errors.length === 0 && (a.changes.length > 0 || a.ssl.wanted))
  const progress = createProgress(work.reduce((n, a) => n + a.changes.length, 0))
  const parallel = work.length > 1 && opts.concurrency > 1
  let lastProgress = Date.now()
  const every = (opts.progressEverySeconds ?? 10) * 1000

  await mapLimit(work, opts.concurrency, async app => {
    // With apps in parallel, keep each app's lines together and print them as one group when it ends.
    const buffer = parallel ? new BufferLogger() : undefined
    const log: Logger = buffer ?? opts.log
    const body = async (): Promise<void> => {
      const step = (c: Change, outcome: ProgressOutcome): void => {
        log.progress(progress.step(c, outcome))
        if (parallel && Date.now() - lastProgress >= every) {
          lastProgress = Date.now()
          opts.log.info(`progress: ${progress.done}/${progress.total} operations`)
        }
      }
      await applyApp(app, opts, step, log)
    }
    const title = `${describeApp(app)}: ${app.changes.length} change${app.changes.length === 1 ? '' : 's'}`
    if (buffer) {
      await body()
      await opts.log.group(title, () => Promise.resolve(buffer.replay(opts.log)))
    } else {
      await opts.log.group(title, body)
    }
  })
}

async function applyApp(
  app: AppPlan,
  opts: ApplyOptions,
  step: (c: Change, outcome: ProgressOutcome) => void,
  log: Logger
): Promise<void> {
  const { api } = opts
  const serverId = app.serverId
  const appId = app.appId
  if (serverId === undefined || appId === undefined) {
    for (const c of app.changes) {
      c.result = { status: 'skipped', error: 'the app was not resolved' }
      step(c, { status: 'skipped', text: 'skipped' })
    }
    return
  }
  const added: LiveDomain[] = []
  const ordered = [
    ...app.changes.filter(c => c.action !== 'remove'),
    ...app.changes.filter(c => c.action === 'remove')
  ]
  for (const c of ordered) {
    try {
      if (c.action === 'add') {
        const settings = c.settings ?? { www: true, redirection: 'non-www' as const }
        const out = await api.addDomain(serverId, appId, c.domain, settings)
        c.result = { status: out.status }
        if (out.domain) {
          c.live = out.domain
          if (out.status === 'done') added.push(out.domain)
        }
        step(
          c,
          out.status === 'noop' ? { status: 'noop', text: 'already live' } : { status: 'done', text: 'done' }
        )
      } else if (c.action === 'update') {
        if (!c.live || !c.settings) throw new Error('live state of the domain is unknown')
        const out = await api.updateDomain(serverId, appId, c.live, c.settings)
        c.result = { status: out.status }
        step(
          c,
          out.status === 'noop' ? { status: 'noop', text: 'already so' } : { status: 'done', text: 'done' }
        )
      } else {
        if (!c.live) throw new Error('live state of the domain is unknown')
        const out = await api.removeDomain(serverId, appId, c.live)
        c.result = { status: out.status }
        step(
          c,
          out.status === 'noop' ? { status: 'noop', text: 'already gone' } : { status: 'done', text: 'done' }
        )
      }
    } catch (e) {
      c.result = { status: 'failed', error: errorText(e) }
      step(c, { status: 'failed', text: `failed: ${errorText(e)}` })
    }
  }

  // SSL with `auto`: wanted when the manifest change adds domains, or when this run added any.
  const wantSsl =
    app.ssl.policy !== 'none' && (app.ssl.wanted || (added.length > 0 && opts.sslRedeploy !== 'never'))
  const adds = app.changes.filter(c => c.action === 'add')
  const everyAddFailed =
    adds.length > 0 && adds.every(c => c.result?.status === 'failed') && !app.ssl.declaredLive?.length
  if (wantSsl && opts.sslRedeploy === 'auto' && everyAddFailed) {
    // Nothing new to cover: a redeploy would only ask for the same certificate again.
    app.ssl.result = { status: 'skipped', detail: 'every add failed, so no certificate was redeployed' }
    log.info(plain(`ssl … skipped: ${app.ssl.result.detail}`))
  } else if (wantSsl) {
    if (!app.ssl.wanted) {
      app.ssl.wanted = true
      app.ssl.why = 'domains added by this run'
    }
    // For advanced SSL, the certificates of the domains this change declares new and are now live.
    const targets = [
      ...app.changes
        .filter(c => c.action === 'add' && c.live && c.result?.status !== 'failed')
        .map(c => c.live as LiveDomain),
      ...(app.ssl.declaredLive ?? [])
    ]
    app.ssl.result = await redeployCertificates(
      app,
      api,
      targets,
      m => log.warning(m),
      opts.sslRedeploy === 'always'
    )
    log.info(plain(`ssl … ${app.ssl.result.status}: ${app.ssl.result.detail}`))
  }
}
