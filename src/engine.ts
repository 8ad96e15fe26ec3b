import { applyPlan } from './apply/apply.js'
import { checkDns } from './dns/check.js'
import { chooseBase, type BaseChoice, type EventContext } from './git/base-ref.js'
import { readBaseInCheckout, readBaseManifest, type BaseManifest, type GitHubFiles } from './git/read-base.js'
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
import { emptyPlan, withRecord } from './plan/annotate.js'
import { appsNeedingLiveState, buildPlan, type LiveApp } from './plan/build.js'
import { decide, writes } from './plan/decide.js'
import { fingerprintEntries, planFingerprint } from './plan/fingerprint.js'
import { describeApp, planHasChanges, type Plan } from './plan/model.js'
import { failures, NOTHING_DONE, type FailedOperation, type Outcome } from './plan/outcome.js'
import { pendingChanges } from './plan/pending.js'
import { alignAppIdentities } from './plan/same-app.js'
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

export type { FailedOperation } from './plan/outcome.js'

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

export interface EngineResult {
  plan?: Plan
  /** What applying the plan did; absent when nothing was written. */
  outcome?: Outcome
  /** Manifest problems (head), shown as annotations. */
  problems: ManifestProblem[]
  /** A fatal error that stopped the run (bad manifest, unsafe plan, unreadable base, API failure). */
  error?: string
  /** `failures(plan, outcome)`. */
  failed: FailedOperation[]
  /** drift mode: whether drift was found. */
  drift?: boolean
  /** RunCloud calls made. */
  calls: number
  /** For people, as notices: a superseded run says which commit applies its change. */
  notices: string[]
  exitCode: 0 | 1
}

/** Why a phase ends the run: the step's error, and the manifest's problems when it is invalid. */
interface Stop {
  stop: string
  problems?: ManifestProblem[]
}

const stopped = <T extends object>(x: T | Stop): x is Stop => 'stop' in x

/**
 * What one run carries from phase to phase: its input, the warnings and record lines it gathers,
 * the deployment it opened, and the RunCloud client, made on first use.
 */
class Run {
  readonly settings: Settings
  readonly log: Logger
  readonly words: Words
  /** Warnings found before the plan is built; they become the plan's. */
  readonly warnings: string[] = []
  /** Lines about the last-applied record and the reviewed plan. */
  readonly record: string[] = []
  /** Warnings found after the plan was built (a reviewed-plan difference under `warn`). */
  readonly lateWarnings: string[] = []
  deployment?: Deployment
  /** The plan, once built (an unexpected failure still reports it). */
  planned?: Plan
  private api?: RunCloudApi

  constructor(readonly input: EngineInput) {
    this.settings = input.settings
    this.log = input.log
    this.words = input.words ?? ACTION_WORDS
  }

  async client(): Promise<RunCloudApi> {
    return (this.api ??= await this.input.createApi())
  }

  get calls(): number {
    return this.api?.calls ?? 0
  }

  parse(text: string | undefined): Manifest {
    if (text === undefined) return { form: 'empty', apps: [] }
    return parseManifest(text, {
      file: this.settings.manifest,
      serverId: this.settings.serverId,
      appId: this.settings.appId,
      words: this.words
    })
  }

  /** The plan as people see it: with the record's lines and the late warnings. */
  shown(plan: Plan): Plan {
    return withRecord(plan, this.record, this.lateWarnings)
  }

  result(r: Partial<EngineResult> & Pick<EngineResult, 'exitCode'>): EngineResult {
    return { problems: [], failed: [], notices: [], ...r, calls: this.calls }
  }

  /** The run ends with `why`; an open deployment is marked failed first, never left dangling. */
  async end(why: Stop, status?: string, extra: Partial<EngineResult> = {}): Promise<EngineResult> {
    const plan = this.planned
    if (this.deployment && plan)
      await this.deployment.setStatus('failure', countsDescription(plan, undefined, 'failure', status))
    this.deployment = undefined
    return this.result({
      ...extra,
      ...(plan ? { plan: this.shown(plan) } : {}),
      problems: why.problems ?? [],
      error: why.stop,
      exitCode: 1
    })
  }
}

/**
 * The core both front doors (the action and the CLI) call, as its phases: load manifests → read
 * live state → build the plan → record and decide → apply → result (docs/architecture.md). It
 * writes nothing but to RunCloud, the record and the logger; the front door renders the result.
 */
export async function execute(input: EngineInput): Promise<EngineResult> {
  const run = new Run(input)
  try {
    return await phases(run)
  } catch (e) {
    // Only what no phase expects ends here (a bug, an I/O failure): a failed run, never a crash.
    return run.end({ stop: e instanceof Error ? e.message : String(e) })
  }
}

async function phases(run: Run): Promise<EngineResult> {
  const { settings } = run
  if (settings.legacy) run.warnings.push(legacyWarning(run.words))
  // The waits that depend on nothing else start first: GitHub answers for the last-applied record,
  // and git reads the event's base from the checkout, while the head is read and parsed.
  const early = settings.mode === 'drift' ? undefined : earlyBase(run)
  const head = await loadHead(run)
  if (stopped(head)) return run.end(head)
  const notice = await supersededNotice(run, head.text)
  if (notice) return supersededResult(run, notice)
  const base = await loadBase(run, head, early)
  if (stopped(base)) return run.end(base)
  const live = await readLive(run, base.manifest, head.manifest)
  let plan = buildPlan({
    mode: settings.mode,
    manifest: settings.manifest,
    base: live.base,
    head: head.manifest,
    baseDescription: base.description,
    headDescription: run.input.event.sha
      ? `${run.input.event.sha.slice(0, 7)} (this commit)`
      : 'the working tree',
    baseSha: base.sha,
    headSha: run.input.event.sha,
    live: live.live,
    maxRemovalPercent: settings.maxRemovalPercent,
    sslRedeploy: settings.sslRedeploy,
    warnings: run.warnings,
    pending: await earlierMerges(run, base, live.base, head.manifest),
    words: run.words
  })
  run.planned = plan
  const drift = settings.mode === 'drift' ? planHasChanges(plan) : undefined

  const refusal = await openRecord(run, plan, live.base, head.manifest)
  if (refusal) return run.end({ stop: `${refusal}\nNothing was written.` }, 'Refused: not the reviewed plan')
  const decision = decide(plan, settings, run.words)
  if (decision.kind === 'stop') return run.end({ stop: decision.error }, 'Refused: unsafe plan', { drift })
  // Where the names to be added point: in plan and apply with credentials, before any write.
  if (settings.dnsCheck && live.live && settings.mode !== 'drift')
    run.planned = plan = await checkDns(plan, {
      api: await run.client(),
      env: run.input.env ?? process.env,
      log: run.log
    })
  if (!writes(settings)) return run.result({ plan: run.shown(plan), drift, exitCode: 0 })

  const outcome = decision.kind === 'apply' ? await applyNow(run, plan) : NOTHING_DONE
  return finish(run, plan, outcome, drift)
}

function legacyWarning(words: Words): string {
  return `Using the legacy RunCloud API v2 (${words.name('api-key')} and ${words.name('api-secret')}): RunCloud has discontinued v2 for most accounts. Create an API v3 token and ${words.provideToken}.`
}

/** Head: the manifest in the workspace, a regular file inside it only (anything else is refused, and annotated). */
async function loadHead(run: Run): Promise<{ text?: string; manifest: Manifest } | Stop> {
  const { manifest } = run.settings
  try {
    const text = await readHeadManifest(run.input.workspace, manifest)
    return { text, manifest: run.parse(text) }
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e
    const n = e.problems.length
    return {
      stop: `${manifest} is invalid: ${n} problem${n === 1 ? '' : 's'}${run.words.seeAnnotations}.`,
      problems: e.problems
    }
  }
}

/** A pushed apply whose branch has moved on to another manifest: the newer commit's run applies it. */
async function supersededNotice(run: Run, headText: string | undefined): Promise<string | undefined> {
  const { record, event } = run.input
  const pushed = event.eventName === 'push' || event.eventName === 'workflow_dispatch'
  if (run.settings.mode !== 'apply' || !record || !pushed || !event.ref || !event.sha) return undefined
  return supersededBy({
    record,
    ref: event.ref,
    sha: event.sha,
    workspace: run.input.workspace,
    manifest: run.settings.manifest,
    headText,
    files: run.input.github,
    same: (a, b) => a === b || sameManifest(run, a, b),
    log: run.log
  })
}

function supersededResult(run: Run, notice: string): EngineResult {
  const sha = run.input.event.sha ?? ''
  const plan = emptyPlan({
    mode: run.settings.mode,
    manifest: run.settings.manifest,
    base: { description: 'not read (superseded)' },
    head: { sha, description: `${sha.slice(0, 7)} (this commit)` },
    record: [notice]
  })
  return run.result({ plan, notices: [notice], exitCode: 0 })
}

/** Whether two manifest texts declare the same apps and domains (comments and layout aside). */
function sameManifest(run: Run, a: string | undefined, b: string | undefined): boolean {
  try {
    const strip = (m: Manifest) =>
      JSON.stringify(
        m.apps.map(app => ({
          ...app,
          pos: undefined,
          domains: app.domains.map(d => ({ ...d, pos: undefined }))
        }))
      )
    return strip(run.parse(a)) === strip(run.parse(b))
  } catch {
    return false
  }
}

interface Base {
  manifest: Manifest
  description: string
  sha?: string
  /** The event's own base, when the last-applied record gave the base instead. */
  ownBase?: BaseChoice
}

/**
 * Base: the manifest at the base commit — the last applied one (GitHub deployments) for an apply
 * and for a plan on a pull request, else the event's base. Drift has none (it compares head with live).
 */
async function loadBase(
  run: Run,
  head: { text?: string; manifest: Manifest },
  early: EarlyBase | undefined
): Promise<Base | Stop> {
  const { settings } = run
  const none: Manifest = { form: 'empty', apps: [] }
  // Drift has no base: no early read was started for it.
  if (!early) {
    if (head.text === undefined) return noManifest(run)
    return { manifest: none, description: 'not used (drift compares the manifest with RunCloud)' }
  }
  const chosen = await early.recorded
  const read = (choice: BaseChoice): Promise<BaseManifest | { error: string }> =>
    readBaseManifest(
      choice,
      {
        workspace: run.input.workspace,
        manifest: settings.manifest,
        github: run.input.github,
        log: m => run.log.info(m)
      },
      // The event's base was started from the checkout before the head was read.
      choice === early.eventBase ? early.inCheckout : undefined
    ).catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }))
  let ownBase = chosen.ownBase
  let b = await read(chosen.choice)
  if ('error' in b && ownBase) {
    run.warnings.push(
      `The last applied manifest could not be read (${b.error}); compared with ${ownBase.why} instead.`
    )
    b = await read(ownBase)
    ownBase = undefined
  }
  if ('error' in b) return { stop: b.error }
  if (ownBase && run.input.record && chosen.deployment !== undefined)
    run.record.push(
      `Base: the manifest of the last successful apply, deployment #${chosen.deployment} of ${b.sha?.slice(0, 7) ?? b.description} in the environment ${run.input.record.environment}.`
    )
  let manifest = none
  try {
    // An unchanged manifest (most runs) is not parsed twice.
    manifest = b.text !== undefined && b.text === head.text ? head.manifest : run.parse(b.text)
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e
    run.warnings.push(
      `The base manifest (${b.description}) is invalid, so nothing is planned for removal: ${e.problems[0]?.message ?? e.message}`
    )
  }
  if (head.text === undefined) {
    if (manifest.apps.length === 0) return noManifest(run)
    run.warnings.push(`${settings.manifest} was deleted: every domain it declared is planned for removal.`)
  }
  return { manifest, description: b.description, sha: b.sha, ownBase }
}

function noManifest(run: Run): Stop {
  const { manifest } = run.settings
  return {
    stop:
      run.words.door === 'action'
        ? `No manifest at ${manifest}: create it, or set the 'manifest' input to its path.`
        : `No manifest at ${manifest}: create it, or give its path with ${run.words.name('manifest')}.`
  }
}

/** What a run starts before it reads the head: the record lookup, and the event's base from git. */
interface EarlyBase {
  /** The base the event (or `base-ref`) names. */
  eventBase: BaseChoice
  recorded: Promise<RecordedBase>
  /** The event's base as the checkout holds it; undefined when the checkout cannot say. */
  inCheckout: Promise<BaseManifest | undefined>
}

interface RecordedBase {
  choice: BaseChoice
  ownBase?: BaseChoice
  deployment?: number
}

function earlyBase(run: Run): EarlyBase {
  const eventBase = chooseBase(run.settings.baseRef, run.input.event)
  const recorded = chooseRecordedBase(run, eventBase)
  recorded.catch(() => {}) // awaited (and so reported) by loadBase; unused when the run stops before
  // One git process, nothing fetched: used when the record gives no other base (or cannot be read).
  const inCheckout = readBaseInCheckout(eventBase, {
    workspace: run.input.workspace,
    manifest: run.settings.manifest
  }).catch(() => undefined)
  return { eventBase, recorded, inCheckout }
}

/** The event's base, or the last-applied record's commit where the record says so. */
async function chooseRecordedBase(run: Run, choice: BaseChoice): Promise<RecordedBase> {
  const { settings } = run
  const { record, event } = run.input
  // A pull request event whose payload names the pull request (a malformed payload gives the defaults).
  const pullRequest =
    (event.eventName === 'pull_request' || event.eventName === 'pull_request_target') &&
    typeof event.payload.pull_request === 'object' &&
    event.payload.pull_request !== null
  if (!record || settings.baseRef || (settings.mode !== 'apply' && !pullRequest)) return { choice }
  const last = await findLastApplied(record, settings.mode === 'apply' ? 'apply' : 'plan')
  if (last.kind === 'found')
    return {
      choice: { kind: 'commit', ref: last.sha, why: 'last applied' },
      ownBase: choice,
      deployment: last.deployment
    }
  if (last.kind === 'none')
    run.record.push(
      `No apply of ${settings.manifest} is recorded in the environment ${record.environment} yet: compared with ${choice.why}.`
    )
  else run.warnings.push(last.note)
  return { choice }
}

/**
 * Live state, with credentials: the ids and domains of the apps the change touches (every app in
 * drift), and under `ssl-redeploy: always` the ids of the other apps of an apply. An app that
 * cannot be resolved or read carries its error, which the plan shows as the app's.
 */
async function readLive(
  run: Run,
  base: Manifest,
  head: Manifest
): Promise<{ base: Manifest; live?: Map<string, LiveApp> }> {
  const { settings } = run
  if (!hasCredentials(settings)) return { base }
  const needed = appsNeedingLiveState(settings.mode, base, head)
  const neededKeys = new Set(needed.map(appKey))
  const idsOnly =
    settings.sslRedeploy === 'always' && settings.mode === 'apply'
      ? head.apps.filter(a => !neededKeys.has(appKey(a)))
      : []
  const live = new Map<string, LiveApp>()
  if (needed.length || idsOnly.length) {
    const api = await run.client()
    const read = [
      ...needed.map(app => ({ app, domains: true })),
      ...idsOnly.map(app => ({ app, domains: false }))
    ]
    await mapLimit(read, settings.concurrency, async ({ app, domains }) => {
      live.set(appKey(app), await readApp(api, app, domains, run.log))
    })
  }
  // One web app written two ways (by name, by id) is one app; listed twice, an error.
  return { base: alignAppIdentities(base, head, live), live }
}

async function readApp(api: RunCloudApi, app: AppEntry, withDomains: boolean, log: Logger): Promise<LiveApp> {
  let sid: number | undefined
  let aid: number | undefined
  try {
    sid = await api.resolveServer(app.server)
    aid = await api.resolveApp(sid, app.app)
    if (!withDomains) return { serverId: sid, appId: aid }
    const domains = await api.listDomains(sid, aid)
    log.debug(`${describeApp(app)}: ${domains.length} live domains`)
    return { serverId: sid, appId: aid, domains }
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e)
    return {
      error: withDomains
        ? `${describeApp(app)}: ${why}`
        : `${describeApp(app)} could not be resolved, so its certificate was not redeployed: ${why}`,
      ...(sid !== undefined ? { serverId: sid } : {}),
      ...(aid !== undefined ? { appId: aid } : {})
    }
  }
}

/**
 * Changes of earlier merges not applied yet: in the change since the last applied manifest but
 * not in this pull request's or push's own diff (from the event's base). Undefined when the base
 * is the event's own, or the event's base cannot be read (then nothing is marked).
 */
async function earlierMerges(
  run: Run,
  base: Base,
  recorded: Manifest,
  head: Manifest
): Promise<Set<string> | undefined> {
  if (!base.ownBase || !base.sha) return undefined
  const { settings } = run
  const own = await readBaseManifest(base.ownBase, {
    workspace: run.input.workspace,
    manifest: settings.manifest,
    github: run.input.github
  }).catch((e: unknown) => {
    run.log.debug(`The event's base could not be read to tell earlier merges apart: ${(e as Error).message}`)
    return undefined
  })
  if (!own || own.sha === base.sha) return undefined
  let ownManifest: Manifest
  try {
    ownManifest = run.parse(own.text)
  } catch {
    return undefined
  }
  const offline = (from: Manifest): Plan =>
    buildPlan({
      mode: settings.mode,
      manifest: settings.manifest,
      base: from,
      head,
      baseDescription: '',
      headDescription: '',
      maxRemovalPercent: settings.maxRemovalPercent,
      sslRedeploy: settings.sslRedeploy
    })
  return pendingChanges(offline(recorded), offline(ownManifest))
}

/**
 * An apply of a push: the reviewed-plan check, then a deployment opened in the record, before any
 * write. Returns why the apply is refused (`reviewed-plan: require` and a different plan).
 */
async function openRecord(run: Run, plan: Plan, base: Manifest, head: Manifest): Promise<string | undefined> {
  const { settings } = run
  const { record, event } = run.input
  if (settings.mode !== 'apply' || !record || !event.sha) return undefined
  let refusal: string | undefined
  if (event.eventName !== 'push') {
    run.record.push(
      `Reviewed plan: not checked — ${event.eventName === 'workflow_dispatch' ? 'a run started by hand applies the current manifest' : `a ${event.eventName || 'manual'} run is not a merge`}.`
    )
  } else if (settings.reviewedPlan === 'off') {
    run.record.push('Reviewed plan: not checked (reviewed-plan: off).')
  } else {
    const offline = buildPlan({
      mode: 'apply',
      manifest: settings.manifest,
      base,
      head,
      baseDescription: '',
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
      warn: m => run.log.warning(m)
    })
    run.record.push(verdict.line)
    if (verdict.problem && settings.reviewedPlan === 'require') refusal = verdict.problem
    else if (verdict.problem) run.lateWarnings.push(verdict.problem)
  }
  const made = await createDeployment(record, event.sha, plan.fingerprint, m => run.log.warning(m))
  if ('note' in made) run.record.push(made.note)
  else {
    run.deployment = made
    run.record.push(
      `Recorded as deployment #${made.id} of ${event.sha.slice(0, 7)} in the environment ${record.environment}.`
    )
  }
  return refusal
}

async function applyNow(run: Run, plan: Plan): Promise<Outcome> {
  await run.deployment?.setStatus('in_progress', countsDescription(plan, undefined, 'in_progress'))
  return applyPlan(plan, {
    api: await run.client(),
    log: run.log,
    concurrency: run.settings.concurrency,
    sslRedeploy: run.settings.sslRedeploy
  })
}

/** The end of a run that wrote: the record's status, and the failed operations as the step's error. */
async function finish(
  run: Run,
  plan: Plan,
  outcome: Outcome,
  drift: boolean | undefined
): Promise<EngineResult> {
  const failed = failures(plan, outcome)
  if (run.deployment) {
    const state = failed.length ? 'failure' : 'success'
    await run.deployment.setStatus(state, countsDescription(plan, outcome, state))
    run.record[run.record.length - 1] += ` Status: ${state}.`
    run.deployment = undefined
  }
  const shown = { plan: run.shown(plan), outcome, failed, drift }
  if (!failed.length) return run.result({ ...shown, exitCode: 0 })
  const names = failed.map(f => (f.domain ? `${f.action} ${f.domain}` : f.error)).slice(0, 20)
  // Each on a line of its own with why, so the step's error says it (a kept primary, a certificate).
  const why = failed.slice(0, 20).map(f => `${f.action} ${f.domain}: ${f.error}`)
  const error = `${failed.length} operation${failed.length === 1 ? '' : 's'} failed: ${names.join(', ')}${failed.length > 20 ? ', …' : ''}\n${why.join('\n')}`
  return run.result({ ...shown, error, exitCode: 1 })
}
