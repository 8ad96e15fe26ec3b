import { applyPlan } from './apply/apply.js'
import { checkDns } from './dns/check.js'
import { chooseBase, type BaseChoice, type EventContext } from './git/base-ref.js'
import { readBaseManifest, type GitHubFiles } from './git/read-base.js'
import { mapLimit, type Logger } from './logger.js'
import { parseManifest } from './manifest/parse.js'
import { readHeadManifest } from './manifest/read-file.js'
import {
  appKey,
  ManifestError,
  type AppEntry,
  type Manifest,
  type ManifestProblem
} from './manifest/types.js'
import { appsNeedingLiveState, buildPlan, type LiveApp } from './plan/build.js'
import { alignAppIdentities } from './plan/same-app.js'
import { decide, writes } from './plan/decide.js'
import { describeApp, planHasChanges, type Plan } from './plan/model.js'
import { fingerprintEntries, planFingerprint } from './plan/fingerprint.js'
import { markPending } from './plan/pending.js'
import {
  countsDescription,
  createDeployment,
  findLastApplied,
  type Deployment,
  type RecordContext
} from './record/deployments.js'
import { checkReviewedPlan } from './record/reviewed-plan.js'
import { supersededBy } from './record/superseded.js'
import type { RunCloudApi } from './runcloud/types.js'
import { hasCredentials, type Settings } from './settings.js'
import { ACTION_WORDS, type Words } from './words.js'

export interface EngineInput {
  settings: Settings
  workspace: string
  event: EventContext
  /** Reads the base through the GitHub API in shallow checkouts. */
  github?: GitHubFiles
  /** Makes the RunCloud client; called only when credentials are present and a call is needed. */
  createApi: () => RunCloudApi | Promise<RunCloudApi>
  log: Logger
  /** The front door's words for settings in messages (default: the action's inputs). */
  words?: Words
  /** Environment of the run (`RUNCLOUD_DNS_SERVERS`); defaults to the process's. */
  env?: NodeJS.ProcessEnv
  /**
   * The last-applied record (GitHub deployments), superseded runs and the reviewed plan; absent
   * where there is no GitHub (the CLI), and then the event's base is used as before.
   */
  record?: RecordContext
}

export interface FailedOperation {
  domain: string
  action: string
  error: string
}

export interface EngineResult {
  plan?: Plan
  /** Manifest problems (head), shown as annotations. */
  problems: ManifestProblem[]
  /** A fatal error that stopped the run (bad manifest, unsafe plan, unreadable base, API failure). */
  error?: string
  failed: FailedOperation[]
  /** drift mode: whether drift was found. */
  drift?: boolean
  /** RunCloud calls made. */
  calls: number
  /** For people, as notices: a superseded run says which commit applies its change. */
  notices: string[]
  exitCode: 0 | 1
}

class RunError extends Error {}

function parse(text: string | undefined, settings: Settings, words: Words): Manifest {
  if (text === undefined) return { form: 'empty', apps: [] }
  return parseManifest(text, {
    file: settings.manifest,
    serverId: settings.serverId,
    appId: settings.appId,
    words
  })
}

/** Resolve ids and read the domains of each app (all pages), several apps at once; failures stay per app. */
async function readLiveState(
  apps: AppEntry[],
  api: RunCloudApi,
  concurrency: number,
  log: Logger
): Promise<Map<string, LiveApp>> {
  const live = new Map<string, LiveApp>()
  const servers = new Map<string, Promise<number>>()
  const serverId = (s: number | string): Promise<number> => {
    const k = String(s)
    let p = servers.get(k)
    if (!p) {
      p = api.resolveServer(s)
      servers.set(k, p)
    }
    return p
  }
  await mapLimit(apps, concurrency, async app => {
    let sid: number | undefined
    let aid: number | undefined
    try {
      sid = await serverId(app.server)
      aid = await api.resolveApp(sid, app.app)
      const domains = await api.listDomains(sid, aid)
      live.set(appKey(app), { serverId: sid, appId: aid, domains })
      log.debug(`${describeApp(app)}: ${domains.length} live domains`)
    } catch (e) {
      live.set(appKey(app), {
        error: `${describeApp(app)}: ${(e as Error).message}`,
        serverId: sid,
        appId: aid
      })
    }
  })
  return live
}

/** Ids of apps whose live state was not read; an app that cannot be resolved keeps its error. */
async function resolveIds(
  apps: AppEntry[],
  api: RunCloudApi,
  concurrency: number,
  unresolved: Map<string, string>
): Promise<Map<string, { serverId: number; appId: number }>> {
  const ids = new Map<string, { serverId: number; appId: number }>()
  await mapLimit(apps, concurrency, async app => {
    try {
      const serverId = await api.resolveServer(app.server)
      ids.set(appKey(app), { serverId, appId: await api.resolveApp(serverId, app.app) })
    } catch (e) {
      unresolved.set(appKey(app), e instanceof Error ? e.message : String(e))
    }
  })
  return ids
}

/** Whether two manifest texts declare the same apps and domains (comments and layout aside). */
function sameManifest(
  a: string | undefined,
  b: string | undefined,
  settings: Settings,
  words: Words
): boolean {
  try {
    const strip = (m: Manifest) =>
      JSON.stringify(
        m.apps.map(app => ({
          ...app,
          pos: undefined,
          domains: app.domains.map(d => ({ ...d, pos: undefined }))
        }))
      )
    return strip(parse(a, settings, words)) === strip(parse(b, settings, words))
  } catch {
    return false
  }
}

/**
 * Mark the plan's changes that are not in this pull request's (or push's) own diff, from the
 * event's base to head, but only in the change since the last applied manifest.
 */
async function markEarlierMerges(
  plan: Plan,
  o: { input: EngineInput; ownBase: BaseChoice; base: Manifest; head: Manifest; baseSha: string }
): Promise<void> {
  const { settings } = o.input
  const words = o.input.words ?? ACTION_WORDS
  try {
    const own = await readBaseManifest(o.ownBase, {
      workspace: o.input.workspace,
      manifest: settings.manifest,
      github: o.input.github
    })
    if (own.sha === o.baseSha) return
    const offline = (base: Manifest): Plan =>
      buildPlan({
        mode: settings.mode,
        manifest: settings.manifest,
        base,
        head: o.head,
        baseDescription: '',
        headDescription: '',
        maxRemovalPercent: settings.maxRemovalPercent,
        sslRedeploy: settings.sslRedeploy
      })
    let ownManifest: Manifest
    try {
      ownManifest = parse(own.text, settings, words)
    } catch {
      return
    }
    const marked = markPending(plan, offline(o.base), offline(ownManifest))
    if (marked)
      plan.warnings.push(
        `${marked} change${marked === 1 ? '' : 's'} of earlier merges ${marked === 1 ? 'was' : 'were'} never applied and ${marked === 1 ? 'is' : 'are'} part of this plan (reason: merged earlier, not applied yet).`
      )
  } catch (e) {
    o.input.log.debug(
      `The event's base could not be read to tell earlier merges apart: ${(e as Error).message}`
    )
  }
}

/** Failed operations of an applied plan, for the `failed` output and the final error. */
export function collectFailures(plan: Plan): FailedOperation[] {
  const failed: FailedOperation[] = []
  for (const app of plan.apps) {
    for (const e of app.errors) failed.push({ domain: `${app.server}/${app.app}`, action: 'read', error: e })
    for (const c of app.changes) {
      if (c.result?.status === 'failed' || c.result?.status === 'skipped') {
        failed.push({ domain: c.domain, action: c.action, error: c.result.error ?? 'failed' })
      }
    }
    if (app.ssl.result?.status === 'failed') {
      failed.push({
        domain: app.label ?? `${app.server}/${app.app}`,
        action: 'ssl',
        error: app.ssl.result.detail
      })
    }
    if (plan.mode === 'apply') {
      for (const n of app.notes)
        if (n.kind === 'primary-kept') failed.push({ domain: n.domain, action: 'remove', error: n.message })
    }
  }
  return failed
}

/**
 * The core both front doors (the action and the CLI) call: inputs → manifests → live state → plan
 * → (apply) → result. It writes nothing but to RunCloud and the logger; the front door renders
 * the result (outputs, summary, comment, annotations, exit code).
 */
export async function execute(input: EngineInput): Promise<EngineResult> {
  const { settings, log } = input
  const words = input.words ?? ACTION_WORDS
  const result: EngineResult = { problems: [], failed: [], calls: 0, notices: [], exitCode: 1 }
  let deployment: Deployment | undefined
  let api: RunCloudApi | undefined
  const getApi = async (): Promise<RunCloudApi> => (api ??= await input.createApi())
  try {
    const warnings: string[] = []
    if (settings.legacy) {
      warnings.push(
        `Using the legacy RunCloud API v2 (${words.name('api-key')} and ${words.name('api-secret')}): RunCloud has discontinued v2 for most accounts. Create an API v3 token and ${words.provideToken}.`
      )
    }

    // Head: the manifest in the workspace.
    let headText: string | undefined
    let head: Manifest
    try {
      // A regular file inside the workspace only; what else is there is refused, and annotated.
      headText = await readHeadManifest(input.workspace, settings.manifest)
      head = parse(headText, settings, words)
    } catch (e) {
      if (e instanceof ManifestError) {
        result.problems = e.problems
        throw new RunError(
          `${settings.manifest} is invalid: ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}${words.seeAnnotations}.`
        )
      }
      throw e
    }

    const { record, event } = input
    // A pull request event whose payload names the pull request (a malformed payload gives the defaults).
    const pullRequest =
      (event.eventName === 'pull_request' || event.eventName === 'pull_request_target') &&
      typeof event.payload.pull_request === 'object' &&
      event.payload.pull_request !== null
    const pushed = event.eventName === 'push' || event.eventName === 'workflow_dispatch'
    const recordLines: string[] = []

    // A run whose branch has moved on to another manifest writes nothing: the newer commit's run applies it.
    if (settings.mode === 'apply' && record && pushed && event.ref && event.sha) {
      const notice = await supersededBy({
        record,
        ref: event.ref,
        sha: event.sha,
        workspace: input.workspace,
        manifest: settings.manifest,
        headText,
        files: input.github,
        same: (a, b) => a === b || sameManifest(a, b, settings, words),
        log
      })
      if (notice) {
        result.notices.push(notice)
        result.plan = {
          mode: settings.mode,
          manifest: settings.manifest,
          base: { description: 'not read (superseded)' },
          head: { sha: event.sha, description: `${event.sha.slice(0, 7)} (this commit)` },
          offline: false,
          apps: [],
          warnings: [],
          record: [notice]
        }
        result.exitCode = 0
        return result
      }
    }

    // Base: the manifest at the base commit (not used by drift, which compares head with live).
    let base: Manifest = { form: 'empty', apps: [] }
    let baseDescription = 'not used (drift compares the manifest with RunCloud)'
    let baseSha: string | undefined
    let ownBase: BaseChoice | undefined
    let lastDeployment: number | undefined
    if (settings.mode !== 'drift') {
      let choice = chooseBase(settings.baseRef, event)
      // The last-applied record is the base of an apply and of a plan on a pull request.
      if (record && !settings.baseRef && (settings.mode === 'apply' || pullRequest)) {
        const last = await findLastApplied(record, settings.mode === 'apply' ? 'apply' : 'plan')
        if (last.kind === 'found') {
          ownBase = choice
          lastDeployment = last.deployment
          choice = {
            kind: 'commit',
            ref: last.sha,
            why: 'last applied'
          }
        } else if (last.kind === 'none') {
          recordLines.push(
            `No apply of ${settings.manifest} is recorded in the environment ${record.environment} yet: compared with ${choice.why}.`
          )
        } else warnings.push(last.note)
      }
      let b: Awaited<ReturnType<typeof readBaseManifest>>
      try {
        b = await readBaseManifest(choice, {
          workspace: input.workspace,
          manifest: settings.manifest,
          github: input.github,
          log: m => log.info(m)
        })
      } catch (e) {
        if (!ownBase) throw e
        warnings.push(
          `The last applied manifest could not be read (${(e as Error).message}); compared with ${ownBase.why} instead.`
        )
        choice = ownBase
        ownBase = undefined
        b = await readBaseManifest(choice, {
          workspace: input.workspace,
          manifest: settings.manifest,
          github: input.github,
          log: m => log.info(m)
        })
      }
      if (ownBase && record && lastDeployment !== undefined)
        recordLines.push(
          `Base: the manifest of the last successful apply, deployment #${lastDeployment} of ${b.sha?.slice(0, 7) ?? b.description} in the environment ${record.environment}.`
        )
      baseDescription = b.description
      baseSha = b.sha
      try {
        // An unchanged manifest (most runs) is not parsed twice.
        base = b.text !== undefined && b.text === headText ? head : parse(b.text, settings, words)
      } catch (e) {
        if (!(e instanceof ManifestError)) throw e
        warnings.push(
          `The base manifest (${b.description}) is invalid, so nothing is planned for removal: ${e.problems[0]?.message ?? e.message}`
        )
      }
    }
    if (headText === undefined) {
      if (settings.mode === 'drift' || base.apps.length === 0) {
        throw new RunError(
          words.door === 'action'
            ? `No manifest at ${settings.manifest}: create it, or set the 'manifest' input to its path.`
            : `No manifest at ${settings.manifest}: create it, or give its path with ${words.name('manifest')}.`
        )
      }
      warnings.push(`${settings.manifest} was deleted: every domain it declared is planned for removal.`)
    }

    // Live state: only for the apps the change touches (every app in drift).
    const online = hasCredentials(settings)
    let live: Map<string, LiveApp> | undefined
    let ids: Map<string, { serverId: number; appId: number }> | undefined
    const unresolved = new Map<string, string>()
    if (online) {
      const needed = appsNeedingLiveState(settings.mode, base, head)
      live = needed.length
        ? await readLiveState(needed, await getApi(), settings.concurrency, log)
        : new Map()
      base = alignAppIdentities(base, head, live)
      if (settings.sslRedeploy === 'always' && settings.mode === 'apply') {
        const rest = head.apps.filter(a => !live?.has(appKey(a)))
        ids = await resolveIds(rest, await getApi(), settings.concurrency, unresolved)
      }
    }

    const plan = buildPlan({
      mode: settings.mode,
      manifest: settings.manifest,
      base,
      head,
      baseDescription,
      headDescription: input.event.sha ? `${input.event.sha.slice(0, 7)} (this commit)` : 'the working tree',
      baseSha,
      headSha: input.event.sha,
      live,
      ids,
      maxRemovalPercent: settings.maxRemovalPercent,
      sslRedeploy: settings.sslRedeploy,
      warnings,
      words
    })
    result.plan = plan
    // Changes merged earlier and not applied yet are named as such (they are not in this diff).
    if (ownBase && baseSha) await markEarlierMerges(plan, { input, ownBase, base, head, baseSha })
    plan.fingerprint = planFingerprint(plan)
    if (recordLines.length) plan.record = recordLines
    if (settings.mode === 'drift') result.drift = planHasChanges(plan)
    // `ssl-redeploy: always` on an app that cannot be resolved: a failed operation, not a silent skip.
    for (const app of plan.apps) {
      const why = unresolved.get(app.key)
      if (why !== undefined && app.ssl.wanted)
        app.ssl.result = {
          status: 'failed',
          detail: `The certificate was not redeployed: ${describeApp(app)} could not be resolved: ${why}`
        }
    }

    // apply: the reviewed plan, then the record, before any write.
    let refusal: string | undefined
    if (settings.mode === 'apply' && record && event.sha) {
      if (event.eventName !== 'push') {
        recordLines.push(
          `Reviewed plan: not checked — ${event.eventName === 'workflow_dispatch' ? 'a run started by hand applies the current manifest' : `a ${event.eventName || 'manual'} run is not a merge`}.`
        )
      } else if (settings.reviewedPlan === 'off') {
        recordLines.push('Reviewed plan: not checked (reviewed-plan: off).')
      } else {
        const offline = buildPlan({
          mode: 'apply',
          manifest: settings.manifest,
          base,
          head,
          baseDescription,
          headDescription: '',
          maxRemovalPercent: settings.maxRemovalPercent,
          sslRedeploy: settings.sslRedeploy
        })
        const verdict = await checkReviewedPlan({
          github: record.github,
          owner: record.owner,
          repo: record.repo,
          sha: event.sha,
          manifest: settings.manifest,
          online: { fingerprint: plan.fingerprint, entries: fingerprintEntries(plan) },
          offline: { fingerprint: planFingerprint(offline), entries: fingerprintEntries(offline) },
          warn: m => log.warning(m)
        })
        recordLines.push(verdict.line)
        if (verdict.problem) {
          if (settings.reviewedPlan === 'require') refusal = verdict.problem
          else plan.warnings.push(verdict.problem)
        }
      }
      plan.record = recordLines
      const made = await createDeployment(record, event.sha, plan.fingerprint, m => log.warning(m))
      if ('note' in made) {
        recordLines.push(made.note)
      } else {
        deployment = made
        recordLines.push(
          `Recorded as deployment #${made.id} of ${event.sha.slice(0, 7)} in the environment ${record.environment}.`
        )
      }
    }
    if (refusal) {
      await deployment?.setStatus(
        'failure',
        countsDescription(plan, 'failure', 'Refused: not the reviewed plan')
      )
      deployment = undefined
      throw new RunError(`${refusal}\nNothing was written.`)
    }

    const decision = decide(plan, settings, words)
    if (decision.kind === 'stop') {
      await deployment?.setStatus('failure', countsDescription(plan, 'failure', 'Refused: unsafe plan'))
      deployment = undefined
      throw new RunError(decision.error)
    }
    // Where the names to be added point: in plan and apply with credentials, before any write.
    if (settings.dnsCheck && online && settings.mode !== 'drift')
      await checkDns(plan, { api: await getApi(), env: input.env ?? process.env, log })
    if (decision.kind === 'finish' && !writes(settings)) {
      result.exitCode = 0
      return result
    }
    if (decision.kind === 'apply') {
      await deployment?.setStatus('in_progress', countsDescription(plan, 'in_progress'))
      await applyPlan(plan, {
        api: await getApi(),
        log,
        concurrency: settings.concurrency,
        sslRedeploy: settings.sslRedeploy
      })
    }
    result.failed = collectFailures(plan)
    if (deployment) {
      const state = result.failed.length ? 'failure' : 'success'
      await deployment.setStatus(state, countsDescription(plan, state))
      recordLines[recordLines.length - 1] += ` Status: ${state}.`
      deployment = undefined
    }
    if (result.failed.length) {
      const names = result.failed.map(f => (f.domain ? `${f.action} ${f.domain}` : f.error)).slice(0, 20)
      // Each on a line of its own with why, so the step's error says it (a kept primary, a certificate).
      const why = result.failed.slice(0, 20).map(f => `${f.action} ${f.domain}: ${f.error}`)
      throw new RunError(
        `${result.failed.length} operation${result.failed.length === 1 ? '' : 's'} failed: ${names.join(', ')}${result.failed.length > 20 ? ', …' : ''}\n${why.join('\n')}`
      )
    }
    result.exitCode = 0
    return result
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e)
    result.exitCode = 1
    // A deployment left in progress by an unexpected error is marked failed, never left dangling.
    if (deployment && result.plan)
      await deployment.setStatus('failure', countsDescription(result.plan, 'failure'))
    return result
  } finally {
    result.calls = api?.calls ?? 0
  }
}
