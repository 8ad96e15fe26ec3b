import { dnsChecked, dnsText, dnsWarnings } from '../dns/report.js'
import type { ManifestProblem } from '../manifest/types.js'
import {
  describeApp,
  planWarnings,
  REASON_TEXT,
  type AppPlan,
  type Change,
  type Plan
} from '../plan/model.js'
import { shortFingerprint } from '../plan/fingerprint.js'
import {
  appViews,
  countChanges,
  wasApplied,
  type AppView,
  type ChangeResult,
  type Outcome
} from '../plan/outcome.js'
import { clip, plain } from '../text/clean.js'
import { code, md } from './escape.js'

export interface MarkdownOptions {
  /**
   * Largest size of the result, measured in UTF-8 bytes (the job summary's 1 MiB limit is in
   * bytes; a comment's 65,536 is in characters, and a string never has more characters than bytes).
   */
  maxChars: number
  title?: string
  runUrl?: string
  problems?: ManifestProblem[]
  error?: string
}

/** Longest free-text values shown, in characters: one hostile value must not eat the whole budget. */
const MAX_LABEL = 200
const MAX_ERROR = 1_000
const MAX_WARNING = 2_000
/** Lists that are not tables (warnings, collapsed apps) show this many items, then a count. */
const MAX_LIST = 50

const ACTION_LABEL: Record<Change['action'], string> = {
  add: '➕ add',
  update: '✏️ update',
  remove: '➖ remove'
}

type Settings = { www: boolean; redirection: string }

/** Only what changes: `www on → off, redirect non-www → none`. */
function settingsDiff(from: Settings, to: Settings): string {
  const parts: string[] = []
  if (from.www !== to.www) parts.push(`www ${from.www ? 'on' : 'off'} → ${to.www ? 'on' : 'off'}`)
  if (from.redirection !== to.redirection) parts.push(`redirect ${from.redirection} → ${to.redirection}`)
  return parts.join(', ')
}

/** An app named for people, its label clipped (a label is free text of any length). */
function appName(app: AppPlan): string {
  return describeApp({ ...app, label: app.label === undefined ? undefined : clip(app.label, MAX_LABEL) })
}

function domainCell(c: { domain: string; unicode?: string }): string {
  return c.unicode && c.unicode !== c.domain ? `${md(c.unicode)} (${code(c.domain)})` : code(c.domain)
}

function resultCell(
  c: Change,
  result: ChangeResult | undefined,
  applied: boolean,
  mode: Plan['mode']
): string {
  if (!result) {
    if (applied) return '— not reached'
    return mode === 'drift' ? 'drift' : mode === 'apply' ? 'not applied' : 'planned'
  }
  const why = result.error ? `: ${md(clip(result.error, MAX_ERROR))}` : ''
  switch (result.status) {
    case 'done':
      return '✅ done'
    case 'noop':
      return c.action === 'remove' ? '✅ already gone' : '✅ already so'
    case 'skipped':
      return `⏭️ skipped${why}`
    default:
      return `❌ failed${why || ': unknown error'}`
  }
}

function changeRow(
  c: Change,
  result: ChangeResult | undefined,
  applied: boolean,
  mode: Plan['mode'],
  dns = false
): string {
  const reason =
    c.action === 'update'
      ? `${REASON_TEXT[c.reason]}: ${settingsDiff(c.from, c.settings)}`
      : REASON_TEXT[c.reason]
  const dnsCell = dns ? ` ${md(dnsText(c)) || '—'} |` : ''
  return `| ${domainCell(c)} | ${ACTION_LABEL[c.action]} | ${md(reason)} | ${resultCell(c, result, applied, mode)} |${dnsCell}`
}

/** The counts as a list of phrases: what will happen, what drifted, or what happened. */
function countPhrases(plan: Plan, outcome: Outcome | undefined, applied: boolean): string[] {
  const k = countChanges(plan, outcome, applied)
  if (applied) {
    return [
      `${k.add} added`,
      `${k.update} updated`,
      `${k.remove} removed`,
      `${k.failed} failed`,
      ...(k.noop ? [`${k.noop} already so`] : []),
      ...(k.skipped ? [`${k.skipped} skipped`] : []),
      ...(k.notReached ? [`${k.notReached} not reached`] : [])
    ]
  }
  if (plan.mode === 'drift')
    return [`${k.add} missing`, `${k.update} with other settings`, `${k.remove} unmanaged`]
  return [`${k.add} to add`, `${k.update} to update`, `${k.remove} to remove`]
}

function hasWork({ app: a, ssl }: AppView): boolean {
  return Boolean(a.changes.length || a.errors.length || a.notes.length || ssl || a.ssl.wanted)
}

const NOTE_ICON: Record<AppPlan['notes'][number]['kind'], string> = {
  unmanaged: 'ℹ️',
  'primary-kept': '🔒',
  ignored: '🙈'
}

function appSection(view: AppView, applied: boolean, rowCap: number, mode: Plan['mode']): string[] {
  const { app } = view
  const lines = [`### ${md(appName(app))}`]
  // Resolved ids, where the manifest named the server or app (otherwise they are in the heading).
  const ids =
    app.serverId !== undefined &&
    app.appId !== undefined &&
    (app.serverId !== app.server || app.appId !== app.app)
      ? ` · ids ${app.serverId} / ${app.appId}`
      : ''
  const live =
    app.live === 'read' && app.liveCount !== undefined
      ? `${app.liveCount} live domain${app.liveCount === 1 ? '' : 's'}${ids}`
      : app.live === 'offline'
        ? `offline: live state not read${ids}`
        : ids.slice(3)
  if (live) lines.push('', `<sub>${live}${app.exclusive ? ' · exclusive' : ''}</sub>`)
  for (const e of app.errors.slice(0, MAX_LIST)) lines.push('', `> ❌ ${md(clip(e, MAX_ERROR))}`)
  if (app.safety.unsafe)
    lines.push(
      '',
      `> ⚠️ Unsafe: removes ${app.safety.removals} of ${app.safety.total} domains (${Number(app.safety.percent.toFixed(1))}%).`
    )
  if (app.changes.length) {
    // A DNS column where the DNS check ran (names to add, with credentials).
    const dns = dnsChecked([app])
    lines.push(
      '',
      `| domain | change | reason | result |${dns ? ' DNS |' : ''}`,
      `| --- | --- | --- | --- |${dns ? ' --- |' : ''}`
    )
    for (const { change, result } of view.changes.slice(0, rowCap))
      lines.push(changeRow(change, result, applied, mode, dns))
    const hidden = app.changes.length - Math.min(rowCap, app.changes.length)
    if (hidden > 0)
      lines.push(
        '',
        `<sub>… ${hidden} more row${hidden === 1 ? '' : 's'} not shown; see the \`plan\` output / job log.</sub>`
      )
  }
  // Notes are shown for information; they take the same cap as table rows, at least a few.
  const notes = app.notes.slice(0, Math.max(rowCap, 3))
  if (notes.length) {
    lines.push('')
    for (const n of notes)
      lines.push(`- ${NOTE_ICON[n.kind]} ${code(n.domain)}: ${md(clip(n.message, MAX_ERROR))}`)
    const more = app.notes.length - notes.length
    if (more > 0) lines.push(`- … ${more} more note${more === 1 ? '' : 's'} not shown; see the job log.`)
  }
  const ssl = app.ssl
  if (view.ssl) {
    const icon = view.ssl.status === 'done' ? '✅' : view.ssl.status === 'failed' ? '❌' : '⚠️'
    lines.push('', `🔐 SSL: ${icon} ${view.ssl.status} — ${md(clip(view.ssl.detail, MAX_ERROR))}`)
  } else if (ssl.wanted) {
    lines.push(
      '',
      `🔐 SSL: certificate redeploy ${applied ? 'not reached' : mode === 'apply' ? 'not applied' : 'planned'} (${md(ssl.why)})`
    )
  }
  lines.push('')
  return lines
}

function render(
  plan: Plan,
  outcome: Outcome | undefined,
  opts: MarkdownOptions,
  rowCap: number,
  appCap: number
): string {
  const applied = wasApplied(outcome)
  const verb = plan.mode === 'plan' ? 'plan' : plan.mode === 'apply' ? 'apply' : 'drift check'
  const out: string[] = [`## ${md(clip(opts.title ?? `RunCloud domains — ${verb}`, MAX_LABEL))}`, '']
  out.push(
    `**Manifest** ${code(plan.manifest)} · **Base** ${md(plan.base.description)} → **Head** ${md(plan.head.description)}${plan.offline && plan.apps.length ? ' · offline' : ''}${plan.fingerprint ? ` · **Fingerprint** ${code(shortFingerprint(plan.fingerprint))}` : ''}`,
    ''
  )
  // The last-applied record and the reviewed-plan verdict: short, and read before the tables.
  if (plan.record?.length) {
    for (const line of plan.record.slice(0, MAX_LIST)) out.push(`- ${md(clip(line, MAX_WARNING))}`)
    out.push('')
  }
  // The counts come first: they survive any truncation and answer the first question.
  if (plan.apps.length) out.push(`**Totals:** ${countPhrases(plan, outcome, applied).join(' · ')}`, '')
  if (opts.error) {
    const lines = opts.error.split('\n')
    out.push('> [!CAUTION]', ...lines.slice(0, MAX_LIST).map(l => `> ${md(clip(l, MAX_WARNING))}`))
    if (lines.length > MAX_LIST) out.push(`> … ${lines.length - MAX_LIST} more lines; see the job log.`)
    out.push('')
  }
  // The DNS check's warnings are the engine's to log (before the certificate step), so not in planWarnings.
  const warnings = [...planWarnings(plan), ...dnsWarnings(plan.apps)]
  if (warnings.length) {
    out.push('> [!WARNING]')
    warnings.slice(0, MAX_LIST).forEach((w, i) => out.push(`${i ? '>\n' : ''}> ${md(clip(w, MAX_WARNING))}`))
    if (warnings.length > MAX_LIST) out.push(`>\n> … ${warnings.length - MAX_LIST} more warnings`)
    out.push('')
  }
  const problems = opts.problems ?? []
  if (problems.length) {
    const shown = problems.slice(0, Math.max(rowCap, 20))
    out.push('### Manifest problems', '', '| where | problem |', '| --- | --- |')
    for (const p of shown)
      out.push(`| ${code(`${p.file}:${p.line}:${p.col}`)} | ${md(clip(p.message, MAX_ERROR))} |`)
    const more = problems.length - shown.length
    if (more > 0) out.push('', `<sub>… ${more} more problems; see the job log.</sub>`)
    out.push('')
  }
  const views = appViews(plan, outcome)
  const withWork = views.filter(hasWork)
  const quiet = views.filter(a => !hasWork(a)).map(v => v.app)
  for (const view of withWork.slice(0, appCap)) out.push(...appSection(view, applied, rowCap, plan.mode))
  if (withWork.length > appCap)
    out.push(
      `<sub>… ${withWork.length - appCap} more apps not shown; see the \`plan\` output / job log.</sub>`,
      ''
    )
  if (quiet.length) {
    const names = quiet.slice(0, MAX_LIST).map(a => md(appName(a)))
    const more = quiet.length > MAX_LIST ? `, and ${quiet.length - MAX_LIST} more` : ''
    out.push(`No changes in: ${names.join(', ')}${more}.`, '')
  }
  if (!plan.apps.length && !problems.length && !opts.error) out.push('The manifest declares no apps.', '')
  // Only a plain web address becomes a link; anything else could break out of the link syntax.
  if (opts.runUrl && /^https?:\/\/[^\s()<>[\]"'`]+$/.test(opts.runUrl))
    out.push(`<sub>[Run log](${opts.runUrl})</sub>`, '')
  return out.join('\n')
}

const size = (s: string): number => Buffer.byteLength(s, 'utf8')

/**
 * The job summary / PR comment: one markdown document from the plan, at most `maxChars` bytes.
 * A large plan keeps every app's heading and loses table rows first (the same cap for every
 * app, never half a row), then whole apps, and as a last resort whole lines from the end.
 */
export function renderMarkdown(plan: Plan, outcome: Outcome | undefined, opts: MarkdownOptions): string {
  const maxRows = Math.max(
    0,
    ...plan.apps.map(a => Math.max(a.changes.length, a.notes.length)),
    (opts.problems ?? []).length
  )
  const appCount = plan.apps.length
  let text = render(plan, outcome, opts, maxRows, appCount)
  if (size(text) <= opts.maxChars) return text
  // The largest row cap that fits (the size grows with the cap, so a binary search finds it).
  let lo = 0
  let hi = maxRows
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (size(render(plan, outcome, opts, mid, appCount)) <= opts.maxChars) lo = mid
    else hi = mid - 1
  }
  text = render(plan, outcome, opts, lo, appCount)
  if (size(text) <= opts.maxChars) return text
  // Still too large with no rows: fewer apps.
  let a = 0
  let b = appCount
  while (a < b) {
    const mid = Math.ceil((a + b) / 2)
    if (size(render(plan, outcome, opts, 0, mid)) <= opts.maxChars) a = mid
    else b = mid - 1
  }
  text = render(plan, outcome, opts, 0, a)
  if (size(text) <= opts.maxChars) return text
  // Last resort: whole lines only. Every element is one line (table rows, <sub>…</sub>, quotes),
  // so cutting between lines never leaves one open.
  const note = '\n\n<sub>… truncated; see the `plan` output / job log.</sub>\n'
  if (size(note) > opts.maxChars) return ''
  let kept = ''
  let used = size(note)
  for (const l of text.split('\n')) {
    const n = size(l) + 1
    if (used + n > opts.maxChars) break
    kept += `${l}\n`
    used += n
  }
  return kept + note
}

/** How a part of a plan text line reads: a terminal colours it, the log shows the text alone. */
export type Tone = 'add' | 'update' | 'remove' | 'problem' | 'caution' | 'strong' | 'plain'

/** One line of the plan text, in parts with their tones (an add's DNS cell may read apart from it). */
export type PlanLine = readonly { readonly text: string; readonly tone: Tone }[]

const line = (text: string, tone: Tone = 'plain'): PlanLine => [{ text, tone }]

/**
 * The plan for the job log and the terminal as lines with tones, from the plan and its outcome
 * (never from the text): one line per change (`+ add`, `~ update`, `- remove`), results after
 * apply. Free text is made single-line and control-free.
 */
export function planTextLines(plan: Plan, outcome?: Outcome): PlanLine[] {
  const applied = wasApplied(outcome)
  const out: PlanLine[] = [
    line(
      plain(
        `${plan.mode} · ${plan.manifest} · base ${plan.base.description} → head ${plan.head.description}${plan.offline ? ' · offline' : ''}${plan.fingerprint ? ` · fingerprint ${shortFingerprint(plan.fingerprint)}` : ''}`
      )
    ),
    ...(plan.record ?? []).map(l => line(`  ${plain(l)}`))
  ]
  const quiet: string[] = []
  const sign = { add: '+', update: '~', remove: '-' } as const
  for (const view of appViews(plan, outcome)) {
    const { app } = view
    if (!hasWork(view)) {
      quiet.push(plain(appName(app)))
      continue
    }
    out.push(line(`  ${plain(appName(app))}${app.liveCount !== undefined ? ` — ${app.liveCount} live` : ''}`))
    for (const e of app.errors) out.push(line(`    ! ${plain(e)}`, 'problem'))
    if (app.safety.unsafe && app.safety.message)
      out.push(line(`    ! ${plain(app.safety.message)}`, 'problem'))
    for (const { change: c, result: r } of view.changes) {
      const name = c.unicode && c.unicode !== c.domain ? `${c.domain} (${c.unicode})` : c.domain
      const detail = c.action === 'update' ? `: ${settingsDiff(c.from, c.settings)}` : ''
      const result = r ? ` … ${r.status}${r.error ? `: ${r.error}` : ''}` : ''
      const failed = r?.status === 'failed' || r?.status === 'skipped'
      const parts: { text: string; tone: Tone }[] = [
        {
          text: `    ${sign[c.action]} ${plain(`${c.action} ${name}${detail} (${REASON_TEXT[c.reason]})${result}`)}`,
          tone: failed ? 'problem' : c.action
        }
      ]
      if (c.action === 'add' && c.dns) {
        // A name that does not point at the server (yet) reads as a caution beside its add.
        const off = c.dns.some(a => a.verdict !== 'server')
        parts.push({ text: plain(` · DNS ${dnsText(c)}`), tone: off ? 'caution' : parts[0]!.tone })
      }
      out.push(parts)
    }
    for (const n of app.notes) out.push(line(`    · ${plain(`${n.domain}: ${n.message}`)}`))
    if (view.ssl)
      out.push(
        line(
          `    ssl: ${plain(`${view.ssl.status}: ${view.ssl.detail}`)}`,
          view.ssl.status === 'failed' ? 'problem' : 'plain'
        )
      )
    else if (app.ssl.wanted)
      out.push(line(`    ssl: redeploy ${applied ? 'not reached' : 'planned'} (${plain(app.ssl.why)})`))
  }
  if (quiet.length)
    out.push(
      line(
        `  ${plan.mode === 'drift' ? 'no drift' : 'no changes'}: ${quiet.slice(0, 20).join(', ')}${quiet.length > 20 ? `, and ${quiet.length - 20} more` : ''}`
      )
    )
  const counts = countChanges(plan, outcome, applied)
  out.push(
    line(`totals: ${countPhrases(plan, outcome, applied).join(', ')}`, counts.failed ? 'problem' : 'strong')
  )
  return out
}

/** The plan text as the job log shows it: `planTextLines` without tones. */
export function renderPlanText(plan: Plan, outcome?: Outcome): string {
  return planTextLines(plan, outcome)
    .map(l => l.map(p => p.text).join(''))
    .join('\n')
}
