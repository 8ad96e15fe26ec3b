import type { AppPlan, Change, Plan } from '../plan/model.js'
import type { AppOutcome, ChangeResult, Outcome } from '../plan/outcome.js'
import { sslAfterChanges } from '../plan/ssl-policy.js'
import type { RunCloudApi } from '../runcloud/types.js'
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
 * Apply a plan (docs/architecture.md) and return its outcome; the plan itself is not changed.
 * Per app: additions and updates, then removals (the plan's order), then SSL, one at a time
 * (RunCloud rewrites the app's web server configuration on each change); apps run in parallel.
 * Each operation succeeds or fails on its own; nothing here throws for a failed operation.
 */
export async function applyPlan(plan: Plan, opts: ApplyOptions): Promise<Outcome> {
  const work = plan.apps.flatMap((app, index) =>
    app.errors.length === 0 && (app.changes.length > 0 || app.ssl.wanted) ? [{ app, index }] : []
  )
  const progress = createProgress(work.reduce((n, w) => n + w.app.changes.length, 0))
  const parallel = work.length > 1 && opts.concurrency > 1
  let lastProgress = Date.now()
  const every = (opts.progressEverySeconds ?? 10) * 1000
  const apps: (AppOutcome | undefined)[] = plan.apps.map(() => undefined)

  await mapLimit(work, opts.concurrency, async ({ app, index }) => {
    // With apps in parallel, keep each app's lines together and print them as one group when it ends.
    const buffer = parallel ? new BufferLogger() : undefined
    const log: Logger = buffer ?? opts.log
    const step = (c: Change, outcome: ProgressOutcome): void => {
      log.progress(progress.step(c, outcome))
      if (parallel && Date.now() - lastProgress >= every) {
        lastProgress = Date.now()
        opts.log.info(`progress: ${progress.done}/${progress.total} operations`)
      }
    }
    const body = async (): Promise<void> => {
      apps[index] = await applyApp(app, opts, step, log)
    }
    const title = `${describeApp(app)}: ${app.changes.length} change${app.changes.length === 1 ? '' : 's'}`
    if (buffer) {
      await body()
      await opts.log.group(title, () => Promise.resolve(buffer.replay(opts.log)))
    } else {
      await opts.log.group(title, body)
    }
  })
  return { apps }
}

const NOOP_TEXT: Record<Change['action'], string> = {
  add: 'already live',
  update: 'already so',
  remove: 'already gone'
}

/** One change, confirmed by RunCloud's answer or failed with why. */
async function applyChange(
  c: Change,
  ids: { serverId: number; appId: number },
  api: RunCloudApi
): Promise<ChangeResult> {
  const { serverId, appId } = ids
  switch (c.action) {
    case 'add': {
      const out = await api.addDomain(serverId, appId, c.domain, c.settings)
      return { status: out.status, ...(out.domain ? { live: out.domain } : {}) }
    }
    case 'update':
      if (!c.live) return { status: 'failed', error: 'live state of the domain is unknown' }
      return { status: (await api.updateDomain(serverId, appId, c.live, c.settings)).status }
    case 'remove':
      if (!c.live) return { status: 'failed', error: 'live state of the domain is unknown' }
      return { status: (await api.removeDomain(serverId, appId, c.live)).status }
  }
}

async function applyApp(
  app: AppPlan,
  opts: ApplyOptions,
  step: (c: Change, outcome: ProgressOutcome) => void,
  log: Logger
): Promise<AppOutcome> {
  const { serverId, appId } = app
  if (serverId === undefined || appId === undefined) {
    const skipped: ChangeResult = { status: 'skipped', error: 'the app was not resolved' }
    for (const c of app.changes) step(c, { status: 'skipped', text: 'skipped' })
    return { changes: app.changes.map(() => skipped) }
  }
  const results: ChangeResult[] = []
  // Additions and updates before removals, whatever order the plan lists them in.
  const order = app.changes.map((c, i) => ({ c, i }))
  const ordered = [
    ...order.filter(x => x.c.action !== 'remove'),
    ...order.filter(x => x.c.action === 'remove')
  ]
  for (const { c, i } of ordered) {
    let r: ChangeResult
    try {
      r = await applyChange(c, { serverId, appId }, opts.api)
    } catch (e) {
      r = { status: 'failed', error: errorText(e) }
    }
    results[i] = r
    step(
      c,
      r.status === 'failed'
        ? { status: 'failed', text: `failed: ${r.error ?? 'unknown error'}` }
        : r.status === 'noop'
          ? { status: 'noop', text: NOOP_TEXT[c.action] }
          : { status: 'done', text: 'done' }
    )
  }

  const ssl = sslAfterChanges(app, results, opts.sslRedeploy)
  if (ssl.kind === 'none') return { changes: results }
  if (ssl.kind === 'skip') {
    log.info(plain(`ssl … skipped: ${ssl.detail}`))
    return { changes: results, ssl: { status: 'skipped', detail: ssl.detail } }
  }
  const done = await redeployCertificates(
    { ...app, serverId, appId },
    opts.api,
    ssl.targets,
    m => log.warning(m),
    ssl.everyDomain
  )
  log.info(plain(`ssl … ${done.status}: ${done.detail}`))
  return { changes: results, ssl: ssl.why ? { ...done, why: ssl.why } : done }
}
