import * as core from './core.js'
import { execute, type EngineResult } from './engine.js'
import { githubFiles } from './git/github-files.js'
import type { Logger } from './logger.js'
import { annotationProperties } from './manifest/annotations.js'
import type { ManifestProblem } from './manifest/types.js'
import { lazyRepos, openGitHub } from './net/github.js'
import { emptyPlan } from './plan/annotate.js'
import { fingerprintEntries } from './plan/fingerprint.js'
import { planWarnings, type Plan } from './plan/model.js'
import { tokenIdentity, upsertPlanComment } from './report/comment.js'
import { syncDriftIssue } from './report/drift-issue.js'
import type { GitHubRequest } from './record/github.js'
import { renderMarkdown, renderPlanText } from './report/markdown.js'
import { computeOutputs } from './report/outputs.js'
import { progressLine } from './report/progress.js'
import { hasCredentials, readSettings, SettingsError, type Settings } from './settings.js'
import { shown, shownData, shownDocument, shownOutput } from './text/shown.js'

/** GitHub's job summary limit is 1 MiB; keep a margin for what other steps write. */
const SUMMARY_MAX = 1024 * 1024 - 16 * 1024
const COMMENT_MAX = 65_536

/** Manifest problems annotated one by one; the rest are counted in one more annotation (and listed in the summary). */
const MAX_ANNOTATIONS = 50

// Every line goes through `shown`: credentials scrubbed in every form, control characters removed.
const actionsLogger: Logger = {
  progress: e => core.info(shown(progressLine(e))),
  info: m => core.info(shown(m)),
  warning: m => core.warning(shown(m)),
  error: m => core.error(shown(m)),
  debug: m => core.debug(shown(m)),
  group: (name, fn) => core.group(shown(name), fn)
}

/** The plan shown when the run stopped before it had one. */
function noPlan(settings: Pick<Settings, 'mode' | 'manifest'>): Plan {
  return emptyPlan({
    mode: settings.mode,
    manifest: settings.manifest,
    head: {
      description: process.env.GITHUB_SHA
        ? `${process.env.GITHUB_SHA.slice(0, 7)} (this commit)`
        : 'the working tree'
    },
    offline: true
  })
}

function setOutputs(result: EngineResult, settings: Settings): void {
  const plan = result.plan ?? noPlan(settings)
  const outputs = computeOutputs(plan, result.outcome, {
    drift: settings.mode === 'drift' ? (result.drift ?? false) : undefined
  })
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, shownOutput(value))
}

/** Annotations for the manifest's problems: at most MAX_ANNOTATIONS, then one that counts the rest. */
function annotate(problems: ManifestProblem[], manifest: string): void {
  for (const p of problems.slice(0, MAX_ANNOTATIONS))
    core.error(shown(p.message), annotationProperties({ ...p, file: shown(p.file) }))
  const more = problems.length - MAX_ANNOTATIONS
  if (more <= 0) return
  core.error(`${more} more problem${more === 1 ? '' : 's'} in ${shown(manifest)} (see the summary)`, {
    title: 'domains manifest',
    file: shown(manifest)
  })
  // Each of them in the log too, for what a very long summary had to leave out.
  for (const p of problems.slice(MAX_ANNOTATIONS))
    core.info(shown(`${p.file}:${p.line}:${p.col}: ${p.message}`))
}

/** The action's front door: inputs → settings → engine → outputs, summary, comment, annotations, exit. */
export async function run(): Promise<void> {
  let settings: Settings
  try {
    settings = readSettings(
      name => core.getInput(name),
      s => core.setSecret(s)
    )
  } catch (e) {
    const message = shown(e instanceof SettingsError ? e.problems.join('\n') : (e as Error).message)
    // The summary names the mode the workflow asked for when that input itself was valid.
    const asked = core.getInput('mode').trim()
    const mode = asked === 'apply' || asked === 'drift' ? asked : 'plan'
    const plan = noPlan({ mode, manifest: core.getInput('manifest') || 'domains.yml' })
    await writeSummary(
      shownDocument(renderMarkdown(plan, undefined, { maxChars: SUMMARY_MAX, error: message }))
    )
    // Outputs as on any other failure (empty lists), so `fromJSON(...)` in an `if: always()` step works.
    const outputs = computeOutputs(plan, undefined, { drift: mode === 'drift' ? false : undefined })
    for (const [name, value] of Object.entries(outputs)) core.setOutput(name, shownOutput(value))
    core.setFailed(message)
    return
  }

  // The RunCloud client (with undici) is loaded only when there are credentials to call it with,
  // and then at once: its loading overlaps the waits for git and GitHub instead of following them.
  const runcloud = hasCredentials(settings) ? import('./runcloud/client-factory.js') : undefined
  runcloud?.catch(() => {}) // a failure is reported where the client is made

  // The event as @actions/github's context reads it; GitHub calls through Octokit (GHES URL, proxy),
  // loaded on the first call.
  const side = openGitHub(
    settings.githubToken || undefined,
    m => core.warning(shown(m)),
    m => core.info(shown(m))
  )
  const { repo, octokit } = side
  // GITHUB_REF: the branch a push or a dispatch ran for (superseded runs read its tip).
  const event = { ...side.event, ref: side.event.ref ?? (process.env.GITHUB_REF || undefined) }
  // The record, the reviewed plan and the comment need only `request`; the client is made on first use.
  const github: GitHubRequest | undefined = octokit
    ? { request: async (route, params) => (await octokit()).request(route, params) }
    : undefined
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd()

  const raw = await execute({
    settings,
    workspace,
    event,
    github: octokit && repo ? githubFiles(lazyRepos(octokit), repo.owner, repo.repo) : undefined,
    createApi: async () =>
      (await (runcloud ?? import('./runcloud/client-factory.js'))).clientFor(settings, process.env, {
        info: m => actionsLogger.info(m),
        warning: m => actionsLogger.warning(m)
      }),
    log: actionsLogger,
    record:
      github && repo
        ? {
            github,
            owner: repo.owner,
            repo: repo.repo,
            environment: settings.environment,
            manifest: settings.manifest,
            runUrl: runUrl()
          }
        : undefined
  })
  // Everything rendered below comes from this copy: every string scrubbed before it is cut or escaped.
  const result: EngineResult = {
    ...raw,
    ...shownData({
      plan: raw.plan,
      outcome: raw.outcome,
      problems: raw.problems,
      error: raw.error,
      failed: raw.failed
    })
  }

  for (const n of result.notices) core.notice(shown(n))
  annotate(result.problems, settings.manifest)
  if (result.plan) {
    for (const w of planWarnings(result.plan)) core.warning(shown(w))
    core.info(shown(renderPlanText(result.plan, result.outcome)))
  }
  core.info(`RunCloud API calls: ${result.calls}`)
  setOutputs(result, settings)

  const plan = result.plan ?? noPlan(settings)
  const render = (maxChars: number): string =>
    shownDocument(
      renderMarkdown(plan, result.outcome, {
        maxChars,
        problems: result.problems,
        error: result.error,
        runUrl: runUrl()
      })
    )
  await writeSummary(render(SUMMARY_MAX))

  const prNumber = Number(
    (event.payload.pull_request as { number?: unknown } | undefined)?.number ?? event.payload.number
  )
  if (
    settings.mode === 'plan' &&
    settings.comment &&
    github &&
    repo &&
    Number.isInteger(prNumber) &&
    prNumber > 0 &&
    (event.eventName === 'pull_request' || event.eventName === 'pull_request_target')
  ) {
    try {
      const log = {
        info: (m: string) => actionsLogger.info(m),
        warning: (m: string) => actionsLogger.warning(m)
      }
      // Only a comment this token wrote is edited; with no identity, a new one is written.
      const author = await tokenIdentity(github, log)
      await upsertPlanComment({
        github,
        owner: repo.owner,
        repo: repo.repo,
        issueNumber: prNumber,
        manifest: settings.manifest,
        // Room for the marker and the packed changes it carries.
        body: render(COMMENT_MAX - 17_500),
        author: author ?? '',
        plan: {
          fingerprint: plan.fingerprint,
          offline: plan.offline,
          entries: fingerprintEntries(plan)
        },
        log
      })
    } catch (e) {
      core.warning(shown(`The pull request comment could not be written: ${(e as Error).message}`))
    }
  }

  if (settings.mode === 'drift' && settings.driftIssue) {
    await syncDriftIssue({
      octokit: octokit ? await octokit() : undefined,
      owner: repo?.owner,
      repo: repo?.repo,
      manifest: settings.manifest,
      plan: result.plan,
      outcome: result.outcome,
      runUrl: runUrl(),
      document: shownDocument,
      log: { info: m => actionsLogger.info(m), warning: m => actionsLogger.warning(m) }
    })
  }

  if (result.exitCode !== 0) core.setFailed(shown(result.error ?? 'failed'))
}

function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = process.env
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : undefined
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    await core.summary.addRaw(markdown, true).write()
  } catch (e) {
    core.warning(shown(`The job summary could not be written: ${(e as Error).message}`))
  }
}
