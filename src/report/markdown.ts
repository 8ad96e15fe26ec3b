import type { ManifestProblem } from '../manifest/types.js'
import { describeApp, REASON_TEXT, type AppPlan, type Change, type Plan } from '../plan/model.js'
import { md } from './escape.js'
import { wasApplied } from './outputs.js'

export interface MarkdownOptions {
  /** Largest size in bytes (UTF-8) of the result. */
  maxChars: number
  title?: string
  runUrl?: string
  problems?: ManifestProblem[]
  error?: string
}

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

function domainCell(c: { domain: string; unicode?: string }): string {
  return c.unicode ? `${md(c.unicode)} (\`${c.domain}\`)` : `\`${c.domain}\``
}

function resultCell(c: Change, applied: boolean, mode: Plan['mode']): string {
  if (!c.result) return applied ? '—' : mode === 'drift' ? 'drift' : 'planned'
  switch (c.result.status) {
    case 'done':
      return '✅ done'
    case 'noop':
      return c.action === 'remove' ? '✅ already gone' : '✅ already so'
    case 'skipped':
      return `⏭️ skipped${c.result.error ? `: ${md(c.result.error)}` : ''}`
    default:
      return `❌ failed: ${md(c.result.error ?? 'unknown error')}`
  }
}

function changeRow(c: Change, applied: boolean, mode: Plan['mode']): string {
  const reason =
    c.action === 'update' && c.from && c.settings
      ? `${REASON_TEXT[c.reason]}: ${settingsDiff(c.from, c.settings)}`
      : REASON_TEXT[c.reason]
  return `| ${domainCell(c)} | ${ACTION_LABEL[c.action]} | ${md(reason)} | ${resultCell(c, applied, mode)} |`
}

interface Counts {
  add: number
  update: number
  remove: number
  failed: number
  noop: number
}

function count(plan: Plan, applied: boolean): Counts {
  const k: Counts = { add: 0, update: 0, remove: 0, failed: 0, noop: 0 }
  for (const a of plan.apps) {
    for (const c of a.changes) {
      if (c.result?.status === 'failed' || c.result?.status === 'skipped') k.failed++
      else if (c.result?.status === 'noop') k.noop++
      else if (!applied || c.result?.status === 'done') k[c.action]++
    }
    if (a.ssl.result?.status === 'failed') k.failed++
  }
  return k
}

function appSection(app: AppPlan, applied: boolean, rowCap: number, mode: Plan['mode']): string[] {
  const lines = [`### ${md(describeApp(app))}`]
  const ids =
    app.serverId !== undefined &&
    app.appId !== undefined &&
    (app.serverId !== app.server || app.appId !== app.app)
      ? ` · ids ${app.serverId} / ${app.appId}`
      : ''
  const live =
    app.live === 'read'
      ? `${app.liveCount ?? 0} live domains${ids}`
      : app.live === 'offline'
        ? 'offline: live state not read'
        : ''
  if (live) lines.push('', `<sub>${live}</sub>`)
  for (const e of app.errors) lines.push('', `> ❌ ${md(e)}`)
  if (app.safety.unsafe && app.safety.message) lines.push('', `> ⚠️ ${md(app.safety.message)}`)
  if (app.changes.length) {
    lines.push('', '| domain | change | reason | result |', '| --- | --- | --- | --- |')
    for (const c of app.changes.slice(0, rowCap)) lines.push(changeRow(c, applied, mode))
    const hidden = app.changes.length - Math.min(rowCap, app.changes.length)
    if (hidden > 0)
      lines.push(
        '',
        `<sub>… ${hidden} more row${hidden === 1 ? '' : 's'} not shown; see the \`plan\` output or the job log.</sub>`
      )
  }
  const notes = app.notes.slice(0, Math.max(rowCap, 3))
  if (notes.length) {
    lines.push('')
    for (const n of notes)
      lines.push(
        `- ${n.kind === 'primary-kept' ? '🔒' : n.kind === 'ignored' ? '🙈' : 'ℹ️'} \`${n.domain}\`: ${md(n.message)}`
      )
    if (app.notes.length > notes.length) lines.push(`- … ${app.notes.length - notes.length} more notes`)
  }
  const ssl = app.ssl
  if (ssl.result) {
    const icon = ssl.result.status === 'done' ? '✅' : ssl.result.status === 'failed' ? '❌' : '⚠️'
    lines.push('', `🔐 SSL: ${icon} ${md(ssl.result.detail)}`)
  } else if (ssl.wanted) {
    lines.push('', `🔐 SSL: certificate redeploy ${applied ? 'not reached' : 'planned'} (${md(ssl.why)})`)
  }
  lines.push('')
  return lines
}

function render(plan: Plan, opts: MarkdownOptions, rowCap: number, appCap: number): string {
  const applied = wasApplied(plan)
  const verb = plan.mode === 'plan' ? 'plan' : plan.mode === 'apply' ? 'apply' : 'drift check'
  const out: string[] = [`## ${md(opts.title ?? `RunCloud domains — ${verb}`)}`, '']
  out.push(
    `**Manifest** \`${md(plan.manifest)}\` · **Base** ${md(plan.base.description)} → **Head** ${md(plan.head.description)}${plan.offline && plan.apps.length ? ' · offline' : ''}`,
    ''
  )
  if (opts.error) out.push('> [!CAUTION]', ...opts.error.split('\n').map(l => `> ${md(l)}`), '')
  if (plan.warnings.length) {
    out.push('> [!WARNING]')
    plan.warnings.slice(0, 50).forEach((w, i) => out.push(`${i ? '>\n' : ''}> ${md(w)}`))
    if (plan.warnings.length > 50) out.push(`>\n> … ${plan.warnings.length - 50} more warnings`)
    out.push('')
  }
  const problems = opts.problems ?? []
  if (problems.length) {
    out.push('### Manifest problems', '', '| where | problem |', '| --- | --- |')
    for (const p of problems.slice(0, Math.max(rowCap, 20)))
      out.push(`| \`${md(p.file)}:${p.line}:${p.col}\` | ${md(p.message)} |`)
    const more = problems.length - Math.min(problems.length, Math.max(rowCap, 20))
    if (more > 0) out.push('', `<sub>… ${more} more problems; see the annotations.</sub>`)
    out.push('')
  }
  const withWork = plan.apps.filter(
    a => a.changes.length || a.errors.length || a.notes.length || a.ssl.result || a.ssl.wanted
  )
  const quiet = plan.apps.filter(a => !withWork.includes(a))
  for (const app of withWork.slice(0, appCap)) out.push(...appSection(app, applied, rowCap, plan.mode))
  if (withWork.length > appCap)
    out.push(
      `<sub>… ${withWork.length - appCap} more apps not shown; see the \`plan\` output or the job log.</sub>`,
      ''
    )
  if (quiet.length) {
    const names = quiet.slice(0, 50).map(a => md(describeApp(a)))
    out.push(
      `No changes in: ${names.join(', ')}${quiet.length > 50 ? `, and ${quiet.length - 50} more` : ''}.`,
      ''
    )
  }
  if (plan.apps.length) {
    const k = count(plan, applied)
    const parts = applied
      ? [
          `${k.add} added`,
          `${k.update} updated`,
          `${k.remove} removed`,
          `${k.noop} already so`,
          `${k.failed} failed`
        ]
      : [`${k.add} to add`, `${k.update} to update`, `${k.remove} to remove`]
    out.push(`**Totals:** ${parts.join(' · ')}`, '')
  } else if (!problems.length && !opts.error) {
    out.push('The manifest declares no apps.', '')
  }
  if (opts.runUrl) out.push(`<sub>[Run log](${opts.runUrl})</sub>`, '')
  return out.join('\n')
}

const size = (s: string): number => Buffer.byteLength(s, 'utf8')

/**
 * The job summary / PR comment: one markdown document from the plan, at most `maxChars` bytes.
 * A large plan keeps every app's header and loses table rows first (never half a row), then apps.
 */
export function renderMarkdown(plan: Plan, opts: MarkdownOptions): string {
  const maxRows = Math.max(
    0,
    ...plan.apps.map(a => Math.max(a.changes.length, a.notes.length)),
    (opts.problems ?? []).length
  )
  const appCount = plan.apps.length
  let text = render(plan, opts, maxRows, appCount)
  if (size(text) <= opts.maxChars) return text
  // Largest row cap that fits.
  let lo = 0
  let hi = maxRows
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (size(render(plan, opts, mid, appCount)) <= opts.maxChars) lo = mid
    else hi = mid - 1
  }
  text = render(plan, opts, lo, appCount)
  if (size(text) <= opts.maxChars) return text
  // Still too large with no rows: fewer apps.
  let a = 0
  let b = appCount
  while (a < b) {
    const mid = Math.ceil((a + b) / 2)
    if (size(render(plan, opts, 0, mid)) <= opts.maxChars) a = mid
    else b = mid - 1
  }
  text = render(plan, opts, 0, a)
  if (size(text) <= opts.maxChars) return text
  // Last resort: whole lines only.
  const note = '\n\n<sub>… truncated; see the `plan` output or the job log.</sub>\n'
  const lines = text.split('\n')
  let kept = ''
  for (const l of lines) {
    if (size(kept) + size(l) + 1 + size(note) > opts.maxChars) break
    kept += `${l}\n`
  }
  return kept + note
}

/** The plan for the job log and the terminal: one line per change. */
export function renderPlanText(plan: Plan): string {
  const applied = wasApplied(plan)
  const out = [
    `${plan.mode} · ${plan.manifest} · base ${plan.base.description} → head ${plan.head.description}${plan.offline ? ' · offline' : ''}`
  ]
  const quiet: string[] = []
  const sign = { add: '+', update: '~', remove: '-' } as const
  for (const app of plan.apps) {
    if (
      !app.changes.length &&
      !app.errors.length &&
      !app.notes.length &&
      !app.ssl.result &&
      !app.ssl.wanted
    ) {
      quiet.push(describeApp(app))
      continue
    }
    out.push(`  ${describeApp(app)}${app.live === 'read' ? ` — ${app.liveCount ?? 0} live` : ''}`)
    for (const e of app.errors) out.push(`    ! ${e}`)
    for (const c of app.changes) {
      const name = c.unicode ? `${c.domain} (${c.unicode})` : c.domain
      const detail =
        c.action === 'update' && c.from && c.settings ? `: ${settingsDiff(c.from, c.settings)}` : ''
      const result = c.result ? ` … ${c.result.status}${c.result.error ? `: ${c.result.error}` : ''}` : ''
      out.push(`    ${sign[c.action]} ${c.action} ${name}${detail} (${REASON_TEXT[c.reason]})${result}`)
    }
    for (const n of app.notes) out.push(`    · ${n.domain}: ${n.message}`)
    if (app.ssl.result) out.push(`    ssl: ${app.ssl.result.status}: ${app.ssl.result.detail}`)
    else if (app.ssl.wanted)
      out.push(`    ssl: redeploy ${applied ? 'not reached' : 'planned'} (${app.ssl.why})`)
  }
  if (quiet.length)
    out.push(
      `  no changes: ${quiet.slice(0, 20).join(', ')}${quiet.length > 20 ? `, and ${quiet.length - 20} more` : ''}`
    )
  const k = count(plan, applied)
  out.push(
    applied
      ? `totals: ${k.add} added, ${k.update} updated, ${k.remove} removed, ${k.noop} already so, ${k.failed} failed`
      : `totals: ${k.add} to add, ${k.update} to update, ${k.remove} to remove`
  )
  return out.join('\n')
}
