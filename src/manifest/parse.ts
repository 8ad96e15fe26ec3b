import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type Pair
} from 'yaml'
import { ACTION_WORDS } from '../words.js'
import type { z } from 'zod'
import { normaliseDomain } from './normalise.js'
import { fullFormSchema, KNOWN_KEYS, shortFormSchema, type FullForm } from './schema.js'
import {
  appKey,
  ManifestError,
  type AppEntry,
  type DomainEntry,
  type Manifest,
  type ManifestProblem,
  type ParseOptions,
  type Redirection,
  type SourcePosition
} from './types.js'

export { matchesGlob } from './normalise.js'

export const MAX_MANIFEST_BYTES = 1024 * 1024
/** Aliases a manifest may expand; a real manifest needs few, a "billion laughs" needs many. */
export const MAX_ALIASES = 100

type PathKey = string | number

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0))
  )
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1)
      d[i]![j] = v
    }
  }
  return d[a.length]![b.length]!
}

/** The nearest known key, when it is near enough to be a typo. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestD = Infinity
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k)
    if (d < bestD) {
      best = k
      bestD = d
    }
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3))) return best
  // A shortened or lengthened key (`redirect` for `redirection`).
  const lower = key.toLowerCase()
  return lower.length >= 3 ? known.find(k => k.startsWith(lower) || lower.startsWith(k)) : undefined
}

/** Line and column of an offset, for problems found before the YAML parser has counted lines. */
function positionOf(text: string, offset: number): SourcePosition {
  const before = text.slice(0, Math.max(0, offset)).split('\n')
  return { line: before.length, col: (before[before.length - 1]?.length ?? 0) + 1 }
}

class Collector {
  readonly problems: ManifestProblem[] = []
  constructor(
    readonly file: string,
    readonly lc: LineCounter
  ) {}
  at(offset: number | undefined): SourcePosition {
    if (offset === undefined) return { line: 1, col: 1 }
    const p = this.lc.linePos(offset)
    return { line: p.line, col: p.col }
  }
  add(pos: SourcePosition, message: string): void {
    this.problems.push({ file: this.file, line: pos.line, col: pos.col, message })
  }
}

function nodeAt(doc: Document, path: readonly PathKey[]): Node | undefined {
  let cur: unknown = doc.contents
  for (const key of path) {
    // Inside an alias (*name) the nodes are the anchor's; the alias is where this copy is written.
    if (isAlias(cur)) return cur
    if (isMap(cur)) {
      const pair = cur.items.find(p => isScalar(p.key) && String(p.key.value) === String(key))
      cur = pair?.value ?? pair?.key
    } else if (isSeq(cur)) cur = cur.items[Number(key)]
    else return undefined
  }
  return cur as Node | undefined
}

function keyNodeAt(doc: Document, path: readonly PathKey[], key: string): Node | undefined {
  const parent = path.length ? nodeAt(doc, path) : doc.contents
  if (!isMap(parent)) return parent ?? undefined
  const pair = parent.items.find(p => isScalar(p.key) && String(p.key.value) === key) as
    Pair<Node, Node> | undefined
  return pair?.key ?? parent
}

const where = (path: readonly PathKey[]): string => {
  const last = path[path.length - 1]
  return typeof last === 'string'
    ? `'${last}'`
    : path.length
      ? `'${path.filter(p => typeof p === 'string').pop()}' entry`
      : 'the manifest'
}

function levelKeys(path: readonly PathKey[]): readonly string[] {
  if (path.length === 0) return KNOWN_KEYS.root
  if (path[0] === 'defaults') return KNOWN_KEYS.defaults
  if (path.includes('domains')) return KNOWN_KEYS.domain
  return KNOWN_KEYS.app
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path as PathKey[]
  const last = path[path.length - 1]
  if (last === 'server' || last === 'app')
    return `'${last}' must be a positive integer id or a non-empty name`
  switch (issue.code) {
    case 'invalid_type': {
      const field = where(path)
      if (issue.input === undefined) return `${field} is required`
      const expected =
        issue.expected === 'array'
          ? 'a list'
          : issue.expected === 'object'
            ? 'a mapping'
            : `a ${issue.expected}`
      return `${field} must be ${expected}`
    }
    case 'invalid_value':
      return `${where(path)} must be ${issue.values.map(v => JSON.stringify(v)).join(' or ')}`
    case 'invalid_union': {
      const last = path[path.length - 1]
      if (path.includes('domains') && typeof last === 'number')
        return 'a domain entry must be a name, or a mapping with name, www and redirection'
      if (last === 'server' || last === 'app')
        return `'${last}' must be a positive integer id or a non-empty name`
      return `${where(path)} has an unexpected value`
    }
    case 'too_small':
      return `${where(path)} must not be empty`
    case 'too_big':
      return `${where(path)} is too large`
    default:
      return `${where(path)}: ${issue.message}`
  }
}

/** Walk zod's issues, mapping each to the position of the offending node. */
function reportIssues(doc: Document, c: Collector, issues: z.core.$ZodIssue[], prefix: PathKey[] = []): void {
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as PathKey[])]
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = suggestKey(key, levelKeys(path))
        const node = keyNodeAt(doc, path, key)
        c.add(c.at(node?.range?.[0]), `unknown key '${key}'${hint ? `; did you mean '${hint}'?` : ''}`)
      }
      continue
    }
    if (issue.code === 'invalid_union' && issue.input !== undefined) {
      // Report the branch that fits the value's shape (a mapping entry: the mapping's own problems).
      const branches = issue.errors.filter(
        b => !b.some(i => i.path.length === 0 && i.code === 'invalid_type')
      )
      if (branches.length === 1) {
        reportIssues(doc, c, branches[0] as z.core.$ZodIssue[], path)
        continue
      }
    }
    if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && issue.input === undefined) {
      // A missing key: point at the mapping that lacks it.
      const parent = nodeAt(doc, path.slice(0, -1)) ?? doc.contents ?? undefined
      const last = path[path.length - 1]
      const message =
        path.length === 1 && last === 'apps'
          ? "the manifest needs 'apps:' (or a top-level 'domains:' list for the short form)"
          : `'${String(last)}' is required`
      c.add(c.at(parent?.range?.[0]), message)
      continue
    }
    c.add(c.at(nodeAt(doc, path)?.range?.[0]), describeIssue(issue))
  }
}

/**
 * Parse and validate a manifest (README, "The manifest"), reporting every problem of the file at once
 * with its line and column. Throws only ManifestError.
 */
export function parseManifest(input: string, opts: ParseOptions): Manifest {
  const lc = new LineCounter()
  const c = new Collector(opts.file, lc)
  const fail = (): never => {
    throw new ManifestError([...c.problems].sort((a, b) => a.line - b.line || a.col - b.col))
  }
  if (typeof input !== 'string') {
    c.add({ line: 1, col: 1 }, 'the manifest is not text')
    fail()
  }
  if (Buffer.byteLength(input, 'utf8') > MAX_MANIFEST_BYTES) {
    c.add(
      { line: 1, col: 1 },
      `the manifest is ${Buffer.byteLength(input, 'utf8')} bytes; the limit is 1 MiB (1,048,576 bytes)`
    )
    fail()
  }
  const text = input.replace(/^\uFEFF/, '')
  const nul = text.indexOf('\u0000')
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  const control = /[\u0001-\u0008\u000e-\u001f]/
  if (nul >= 0 || control.test(text)) {
    c.add(
      positionOf(text, nul >= 0 ? nul : text.search(control)),
      'the manifest is not a text file (control characters found); it must be UTF-8 YAML'
    )
    fail()
  }

  let doc: Document
  try {
    doc = parseDocument(text, {
      lineCounter: lc,
      prettyErrors: false,
      uniqueKeys: true,
      strict: true,
      version: '1.2',
      logLevel: 'error'
    })
  } catch (e) {
    c.add({ line: 1, col: 1 }, `the manifest could not be read as YAML: ${(e as Error).message}`)
    return fail()
  }
  for (const err of doc.errors) {
    const message =
      err.code === 'DUPLICATE_KEY'
        ? `duplicate key '${/^[^:\n]*/.exec(text.slice(err.pos[0]))?.[0].trim() ?? ''}': a key may appear once in a mapping`
        : err.code === 'MULTIPLE_DOCS'
          ? "the manifest is one YAML document; this '---' starts a second one"
          : err.message.split('\n')[0]
    c.add(c.at(err.pos[0]), message?.replace(/ at line \d+, column \d+.*$/, '') ?? 'invalid YAML')
  }
  if (c.problems.length) fail()

  let data: unknown
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES })
  } catch (e) {
    const message = (e as Error).message
    const firstAlias = text.search(/(?<=[\s[,:-])\*[^\s,\]}]+/)
    c.add(
      c.at(firstAlias >= 0 ? firstAlias : undefined),
      /Unresolved alias/i.test(message)
        ? `an alias (*name) refers to an anchor (&name) that is not defined before it`
        : `the manifest expands YAML aliases beyond the limit (${MAX_ALIASES}); write the entries out`
    )
    return fail()
  }
  if (data === null || data === undefined) return { form: 'empty', apps: [] }
  if (typeof data !== 'object' || Array.isArray(data)) {
    c.add(
      c.at(doc.contents?.range?.[0]),
      "the manifest must be a mapping with 'apps:' (or a top-level 'domains:' list for the short form)"
    )
    fail()
  }
  const root = data as Record<string, unknown>

  if ('apps' in root && 'domains' in root) {
    c.add(
      c.at(keyNodeAt(doc, [], 'domains')?.range?.[0]),
      "a manifest has either 'apps:' (full form) or a top-level 'domains:' (short form), not both"
    )
  }
  // `version` and `defaults` belong to both forms; a top-level `domains:` list makes it the short form.
  const short = 'domains' in root && !('apps' in root)
  // reportInput: an issue's input tells a missing key (undefined) from a wrong value.
  const r = short
    ? shortFormSchema.safeParse(root, { reportInput: true })
    : // With both forms (reported above), check the rest as the full form.
      fullFormSchema.safeParse(Object.fromEntries(Object.entries(root).filter(([k]) => k !== 'domains')), {
        reportInput: true
      })
  if (!r.success) reportIssues(doc, c, r.error.issues)
  // `version: 1.0` (or 1e0, 0x1) is a float or another notation equal to 1 once read; only 1 is version 1.
  const versionNode = nodeAt(doc, ['version'])
  if (isScalar(versionNode) && versionNode.value === 1 && versionNode.range) {
    const written = text.slice(versionNode.range[0], versionNode.range[1]).trim()
    if (!/^\+?\d+$/.test(written)) c.add(c.at(versionNode.range[0]), `'version' must be 1, not ${written}`)
  }
  if (short && (opts.serverId === undefined || opts.appId === undefined)) {
    c.add(
      c.at(keyNodeAt(doc, [], 'domains')?.range?.[0]),
      `a short-form manifest (a bare 'domains:' list) needs ${(opts.words ?? ACTION_WORDS).both('server-id', 'app-id')}; set both, or use the full form with 'apps:'`
    )
  }
  // The name rules run even when the structure has problems, so one run reports everything.
  const lenient: FullForm = short
    ? {
        defaults: asRecord(root.defaults),
        apps: [{ server: opts.serverId ?? 0, app: opts.appId ?? 0, domains: asArray(root.domains) }]
      }
    : ({
        defaults: asRecord(root.defaults),
        apps: asArray(root.apps).map(a => asRecord(a))
      } as unknown as FullForm)
  const manifest = build(doc, c, lenient, short ? 'short' : 'full', short ? ['domains'] : null)
  if (c.problems.length) fail()
  return manifest
}

/** The ASCII name, with the Unicode form beside it when they differ (README, "The manifest"). */
const shownName = (d: { name: string; unicode?: string }): string =>
  d.unicode && d.unicode !== d.name ? `${d.name} (${d.unicode})` : d.name

const asArray = (v: unknown): never[] => (Array.isArray(v) ? (v as never[]) : [])
const asRecord = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}

/** Normalise names and apply the cross-entry rules; `shortPath` is where the short form's list is. */
function build(
  doc: Document,
  c: Collector,
  data: FullForm,
  form: Manifest['form'],
  shortPath: PathKey[] | null
): Manifest {
  // `data` may not have passed the schema (its problems are reported already): read it defensively.
  const defWww = typeof data.defaults?.www === 'boolean' ? data.defaults.www : true
  const defRedirection: Redirection =
    (['none', 'www', 'non-www'] as const).find(r => r === data.defaults?.redirection) ?? 'non-www'
  const seen = new Map<string, SourcePosition>()
  const appsSeen = new Map<string, SourcePosition>()
  const apps: AppEntry[] = []

  data.apps.forEach((raw, ai) => {
    const appPath: PathKey[] = shortPath ? [] : ['apps', ai]
    const domainsPath: PathKey[] = shortPath ?? [...appPath, 'domains']
    const appPos = c.at(nodeAt(doc, appPath)?.range?.[0] ?? doc.contents?.range?.[0])
    const target = (v: unknown): number | string =>
      typeof v === 'string' && /^\d+$/.test(v.trim())
        ? Number(v.trim())
        : typeof v === 'string'
          ? v.trim()
          : typeof v === 'number'
            ? v
            : String(v)
    const app: AppEntry = {
      server: target(raw.server),
      app: target(raw.app),
      ssl: raw.ssl ?? 'redeploy',
      exclusive: raw.exclusive ?? false,
      ignore: Array.isArray(raw.ignore) ? raw.ignore.filter(g => typeof g === 'string') : [],
      domains: [],
      pos: appPos
    }
    if (raw.label !== undefined) app.label = raw.label
    const key = appKey(app)
    const prev = appsSeen.get(key)
    if (prev)
      c.add(
        appPos,
        `server ${app.server} / app ${app.app} is listed twice; the first is at line ${prev.line}, column ${prev.col}. Merge the two entries`
      )
    else appsSeen.set(key, appPos)

    asArray(raw.domains).forEach((entry: unknown, di: number) => {
      if (
        typeof entry !== 'string' &&
        !(entry && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string')
      )
        return
      const entryNode = nodeAt(doc, [...domainsPath, di])
      const nameNode = typeof entry === 'string' ? entryNode : nodeAt(doc, [...domainsPath, di, 'name'])
      const pos = c.at(nameNode?.range?.[0] ?? entryNode?.range?.[0])
      const obj = entry as { name: string; www?: unknown; redirection?: unknown }
      const name = typeof entry === 'string' ? entry : obj.name
      const n = normaliseDomain(name)
      if ('error' in n) {
        c.add(pos, `'${name.trim()}' ${n.error}${n.hint ? `: ${n.hint}` : ''}`)
        return
      }
      const first = seen.get(n.ascii)
      if (first) {
        const shown = shownName({ name: n.ascii, unicode: n.unicode })
        c.add(pos, `${shown} is listed twice; it is already at line ${first.line}, column ${first.col}`)
        c.add(first, `${shown} is listed twice; it is listed again at line ${pos.line}, column ${pos.col}`)
        return
      }
      seen.set(n.ascii, pos)
      const d: DomainEntry = {
        name: n.ascii,
        www: typeof obj.www === 'boolean' ? obj.www : defWww,
        redirection: (['none', 'www', 'non-www'] as const).find(r => r === obj.redirection) ?? defRedirection,
        pos
      }
      if (n.unicode) d.unicode = n.unicode
      app.domains.push(d)
    })

    // www.<name> listed where <name> already serves www.
    const byName = new Map(app.domains.map(d => [d.name, d]))
    for (const d of app.domains) {
      if (!d.name.startsWith('www.')) continue
      const bare = byName.get(d.name.slice(4))
      if (bare?.www) {
        c.add(
          d.pos,
          `${shownName(d)} is already served by ${shownName(bare)} (line ${bare.pos.line}), which has www: true; remove this entry, or set www: false on ${bare.name}`
        )
      }
    }
    apps.push(app)
  })
  return { form, apps }
}
