import { applyPlan } from './apply/apply.js'
import { checkDns } from './dns/check.js'
import { chooseBase, type EventContext } from './git/base-ref.js'
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

async function resolveIds(
  apps: AppEntry[],
  api: RunCloudApi,
  concurrency: number
): Promise<Map<string, { serverId: number; appId: number }>> {
  const ids = new Map<string, { serverId: number; appId: number }>()
  await mapLimit(apps, concurrency, async app => {
    try {
      const serverId = await api.resolveServer(app.server)
      ids.set(appKey(app), { serverId, appId: await api.resolveApp(serverId, app.app) })
    } catch {
      // Reported later as an SSL failure of that app.
    }
  })
  return ids
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
  const result: EngineResult = { problems: [], failed: [], calls: 0, exitCode: 1 }
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

    // Base: the manifest at the base commit (not used by drift, which compares head with live).
    let base: Manifest = { form: 'empty', apps: [] }
    let baseDescription = 'not used (drift compares the manifest with RunCloud)'
    let baseSha: string | undefined
    if (settings.mode !== 'drift') {
      const choice = chooseBase(settings.baseRef, input.event)
      const b = await readBaseManifest(choice, {
        workspace: input.workspace,
        manifest: settings.manifest,
        github: input.github,
        log: m => log.info(m)
      })
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
    if (online) {
      const needed = appsNeedingLiveState(settings.mode, base, head)
      live = needed.length
        ? await readLiveState(needed, await getApi(), settings.concurrency, log)
        : new Map()
      base = alignAppIdentities(base, head, live)
      if (settings.sslRedeploy === 'always' && settings.mode === 'apply') {
        const rest = head.apps.filter(a => !live?.has(appKey(a)))
        ids = await resolveIds(rest, await getApi(), settings.concurrency)
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
    if (settings.mode === 'drift') result.drift = planHasChanges(plan)

    const decision = decide(plan, settings, words)
    if (decision.kind === 'stop') throw new RunError(decision.error)
    // Where the names to be added point: in plan and apply with credentials, before any write.
    if (settings.dnsCheck && online && settings.mode !== 'drift')
      await checkDns(plan, { api: await getApi(), env: input.env ?? process.env, log })
    if (decision.kind === 'finish' && !writes(settings)) {
      result.exitCode = 0
      return result
    }
    if (decision.kind === 'apply') {
      await applyPlan(plan, {
        api: await getApi(),
        log,
        concurrency: settings.concurrency,
        sslRedeploy: settings.sslRedeploy
      })
    }
    result.failed = collectFailures(plan)
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
    return result
  } finally {
    result.calls = api?.calls ?? 0
  }
}
