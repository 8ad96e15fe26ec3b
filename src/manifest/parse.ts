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
import type { z } from 'zod/mini'
import { clip } from '../text/clean.js'
import { normaliseDomain } from './normalise.js'
import { KNOWN_KEYS, schemaIssues, type FullForm } from './schema.js'
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
/**
 * Nodes a manifest's aliases may expand to, all together: a real manifest is far below it, a
 * "billion laughs" far above. Bounded by the size the aliases expand to, not by how many there
 * are, so many small aliases are fine and a few nested ones cannot multiply.
 */
export const MAX_EXPANDED_NODES = 50_000
/** Flow collections (`[`, `{`) nested deeper than this are refused before the YAML parser recurses into them. */
export const MAX_FLOW_DEPTH = 64
/** Keys longer than this get no edit-distance suggestion: a typo of a known key is short. */
const MAX_SUGGEST_LENGTH = 32

type PathKey = string | number

/**
 * Edit distance counting a swap of two neighbours as one edit (optimal string alignment), in three
 * rows of memory. Called only for short keys, so its cost is bounded.
 */
function editDistance(a: string, b: string): number {
  let prev2: number[] = []
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur: number[] = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, (prev2[j - 2] as number) + 1)
      cur[j] = v
    }
    prev2 = prev
    prev = cur
  }
  return prev[b.length] as number
}

/**
 * The nearest known key, when it is near enough to be a typo. Linear in the key's length: the edit
 * distance runs only on short keys; a long key can only be a known key shortened or lengthened.
 */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase()
  if (lower.length <= MAX_SUGGEST_LENGTH) {
    let best: string | undefined
    let bestD = Infinity
    for (const k of known) {
      const d = editDistance(lower, k)
      if (d < bestD) {
        best = k
        bestD = d
      }
    }
    if (best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3))) return best
  }
  // A shortened or lengthened key (`redirect` for `redirection`).
  return lower.length >= 3 ? known.find(k => k.startsWith(lower) || lower.startsWith(k)) : undefined
}

/** Line and column of an offset, for problems found before the YAML parser has counted lines. */
function positionOf(text: string, offset: number): SourcePosition {
  const before = text.slice(0, Math.max(0, offset)).split('\n')
  return { line: before.length, col: (before[before.length - 1]?.length ?? 0) + 1 }
}

class Collector {
  readonly problems: ManifestProblem[] = []
  /** The line (index into the line starts) of the last offset asked for. */
  private line = 0
  constructor(
    readonly file: string,
    readonly lc: LineCounter
  ) {}
  /**
   * Line and column of an offset, once the document is parsed. Names are asked for in the order
   * they are written, so the line is found by stepping on from the last one (a search from the
   * top only for an offset before it): linear in the file, not a search per name.
   */
  at(offset: number | undefined): SourcePosition {
    if (offset === undefined) return { line: 1, col: 1 }
    const starts = this.lc.lineStarts
    let i = this.line
    if (!starts.length || offset < (starts[i] as number)) return this.lc.linePos(offset)
    while (i + 1 < starts.length && (starts[i + 1] as number) <= offset) i++
    this.line = i
    return { line: i + 1, col: offset - (starts[i] as number) + 1 }
  }
  add(pos: SourcePosition, message: string): void {
    this.problems.push({ file: this.file, line: pos.line, col: pos.col, message })
  }
}

/** A mapping's pairs by key (the first of duplicates), built once per mapping: a lookup per problem stays cheap. */
const pairIndex = new WeakMap<object, Map<string, Pair<Node, Node>>>()
function pairOf(map: { items: Pair[] }, key: string): Pair<Node, Node> | undefined {
  let index = pairIndex.get(map)
  if (!index) {
    index = new Map()
    for (const p of map.items as Pair<Node, Node>[])
      if (isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p)
    pairIndex.set(map, index)
  }
  return index.get(key)
}

/** One step down from `cur`: a mapping's value (or key) by key, a sequence's item by index; an alias is where its copy is written. */
function childOf(cur: unknown, key: PathKey): unknown {
  // Inside an alias (*name) the nodes are the anchor's; the alias is where this copy is written.
  if (isAlias(cur)) return cur
  if (isMap(cur)) {
    const pair = pairOf(cur, String(key))
    return pair?.value ?? pair?.key
  }
  if (isSeq(cur)) return cur.items[Number(key)]
  return undefined
}

function nodeAt(doc: Document, path: readonly PathKey[]): Node | undefined {
  let cur: unknown = doc.contents
  for (const key of path) {
    cur = childOf(cur, key)
    if (cur === undefined || isAlias(cur)) break
  }
  return cur as Node | undefined
}

function keyNodeAt(doc: Document, path: readonly PathKey[], key: string): Node | undefined {
  const parent = path.length ? nodeAt(doc, path) : doc.contents
  if (!isMap(parent)) return parent ?? undefined
  return pairOf(parent, key)?.key ?? parent
}

interface NodeFacts {
  /** Keys written again in the same mapping: where, and the key. */
  duplicates: { offset: number; key: string }[]
  /** Nodes once every alias is expanded (capped far above the limit), and nodes as written. */
  expanded: number
  written: number
  firstAlias?: number
  /** An alias with no anchor before it. */
  unresolved?: number
}

/**
 * One walk over the parsed document, before anything is expanded: duplicate keys, and how many
 * nodes the aliases expand to (the expanded size less the nodes as written) — each anchored node's expanded size is computed once, so the walk
 * is linear in the text however the aliases nest. An alias inside its own anchor expands forever.
 */
function inspectNodes(doc: Document): NodeFacts {
  const facts: NodeFacts = { duplicates: [], expanded: 0, written: 0 }
  const cap = 1e15
  const anchors = new Map<string, Node>()
  const sizes = new Map<Node, number>()
  const open = new Set<Node>()
  const root = doc.contents
  if (!root) return facts
  // An explicit stack: a deeply nested document must not exhaust the call stack.
  const stack: { node: Node; children: Node[]; next: number; size: number }[] = []
  /** The expanded size of the node entered last, when it was a leaf (an alias or a scalar). */
  let leafSize = 0
  // Only anchored nodes are looked up by an alias: sizes and the open set are kept for those alone.
  const enter = (node: Node): boolean => {
    if (node.anchor) anchors.set(node.anchor, node)
    if (isAlias(node)) {
      const at = node.range?.[0] ?? 0
      facts.firstAlias ??= at
      const target = anchors.get(node.source)
      if (!target) {
        facts.unresolved ??= at
        leafSize = 1
      } else leafSize = open.has(target) ? cap : (sizes.get(target) ?? cap)
      return false
    }
    facts.written++
    if (!isMap(node) && !isSeq(node)) {
      leafSize = 1
      if (node.anchor) sizes.set(node, 1)
      return false
    }
    const children: Node[] = []
    if (isMap(node)) {
      const seen = new Set<string>()
      for (const p of node.items as Pair<Node | null, Node | null>[]) {
        if (isScalar(p.key)) {
          const k = String(p.key.value)
          if (seen.has(k)) facts.duplicates.push({ offset: p.key.range?.[0] ?? 0, key: k })
          seen.add(k)
        }
        if (p.key && typeof p.key === 'object') children.push(p.key)
        if (p.value && typeof p.value === 'object') children.push(p.value)
      }
    } else {
      for (const item of node.items) if (item && typeof item === 'object') children.push(item as Node)
    }
    if (node.anchor) open.add(node)
    stack.push({ node, children, next: 0, size: 1 })
    return true
  }
  if (!enter(root)) return { ...facts, expanded: leafSize }
  while (stack.length) {
    const top = stack[stack.length - 1] as (typeof stack)[number]
    if (top.next < top.children.length) {
      if (!enter(top.children[top.next++] as Node)) top.size = Math.min(cap, top.size + leafSize)
      continue
    }
    stack.pop()
    if (top.node.anchor) {
      open.delete(top.node)
      sizes.set(top.node, top.size)
    }
    const parent = stack[stack.length - 1]
    if (parent) parent.size = Math.min(cap, parent.size + top.size)
    else facts.expanded = top.size
  }
  return facts
}

/**
 * The document as plain data, an alias giving its anchor's value (shared, as the parser does):
 * linear in the document. Only for documents `inspectNodes` found sound (every alias resolved,
 * none inside its own anchor). Keys as the parser makes them: scalar keys as strings, `null` as ''.
 */
function aliasedData(doc: Document): unknown {
  const anchors = new Map<string, Node>()
  const done = new Map<Node, unknown>()
  const convert = (node: unknown): unknown => {
    if (!node || typeof node !== 'object') return node ?? null
    const n = node as Node
    if (n.anchor) anchors.set(n.anchor, n)
    if (isAlias(n)) return done.get(anchors.get(n.source) as Node)
    let out: unknown
    if (isScalar(n)) out = n.value
    else if (isMap(n)) {
      const obj: Record<string, unknown> = {}
      for (const p of n.items as Pair<Node | null, Node | null>[]) {
        const raw: unknown = isScalar(p.key) ? p.key.value : convert(p.key)
        // As the parser does: null is '', a number or boolean its text, a collection its JSON.
        const key =
          raw === null || raw === undefined ? '' : typeof raw === 'string' ? raw : JSON.stringify(raw)
        Object.defineProperty(obj, key, {
          value: convert(p.value),
          writable: true,
          enumerable: true,
          configurable: true
        })
      }
      out = obj
    } else if (isSeq(n)) out = n.items.map(convert)
    else out = null
    done.set(n, out)
    return out
  }
  return convert(doc.contents)
}

/**
 * The first place flow collections (`[`, `{`) nest deeper than MAX_FLOW_DEPTH, found in one pass
 * over the text (quoted strings and comments skipped): the YAML parser would recurse into them.
 */
function deepFlowAt(text: string): number | undefined {
  // Most manifests have no flow collection at all: nothing to count.
  if (!/[[{]/.test(text)) return undefined
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '#' && (i === 0 || /\s/.test(text[i - 1] as string))) {
      const eol = text.indexOf('\n', i)
      if (eol < 0) return undefined
      i = eol
    } else if ((ch === '"' || ch === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1] as string))) {
      // To the closing quote (`\"` escapes inside double quotes, `''` inside single ones).
      for (i++; i < text.length; i++) {
        if (ch === '"' && text[i] === '\\') i++
        else if (text[i] === ch) {
          if (ch === "'" && text[i + 1] === "'") i++
          else break
        }
      }
    } else if (ch === '[' || ch === '{') {
      if (++depth > MAX_FLOW_DEPTH) return i
    } else if ((ch === ']' || ch === '}') && depth > 0) depth--
  }
  return undefined
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
        c.add(
          c.at(node?.range?.[0]),
          `unknown key '${clip(key, 60)}'${hint ? `; did you mean '${hint}'?` : ''}`
        )
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

  const deep = deepFlowAt(text)
  if (deep !== undefined) {
    c.add(
      positionOf(text, deep),
      `'[' and '{' nest more than ${MAX_FLOW_DEPTH} levels deep here; a manifest needs a few`
    )
    fail()
  }

  let doc: Document
  try {
    doc = parseDocument(text, {
      lineCounter: lc,
      prettyErrors: false,
      // Duplicate keys are found below in one walk: the parser's own check is quadratic in the
      // number of keys of a mapping (minutes for a 1 MiB file of keys).
      uniqueKeys: false,
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
      err.code === 'MULTIPLE_DOCS'
        ? "the manifest is one YAML document; this '---' starts a second one"
        : err.message.split('\n')[0]
    c.add(c.at(err.pos[0]), message?.replace(/ at line \d+, column \d+.*$/, '') ?? 'invalid YAML')
  }
  if (c.problems.length) fail()

  const facts = inspectNodes(doc)
  // A duplicate key is reported, and the rest of the file is still checked (the later value counts).
  for (const d of facts.duplicates)
    c.add(c.at(d.offset), `duplicate key '${clip(d.key, 60)}': a key may appear once in a mapping`)
  if (facts.unresolved !== undefined) {
    c.add(
      c.at(facts.unresolved),
      `an alias (*name) refers to an anchor (&name) that is not defined before it`
    )
    return fail()
  }
  if (facts.expanded - facts.written > MAX_EXPANDED_NODES) {
    c.add(
      c.at(facts.firstAlias),
      `the manifest expands YAML aliases beyond the limit (${MAX_EXPANDED_NODES.toLocaleString('en-US')} nodes once expanded); write the entries out`
    )
    return fail()
  }

  let data: unknown
  try {
    // The expanded size is checked above, so the parser's own count-based alias check is off; with
    // aliases, the data is built here (the parser finds each alias's anchor by a scan from the top:
    // quadratic in the number of aliases).
    data = facts.firstAlias === undefined ? doc.toJS({ maxAliasCount: -1 }) : aliasedData(doc)
  } catch (e) {
    c.add({ line: 1, col: 1 }, `the manifest could not be read as YAML: ${(e as Error).message}`)
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
  const issues = schemaIssues(root, short)
  if (issues.length) reportIssues(doc, c, issues)
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

const isRedirection = (v: unknown): v is Redirection => v === 'none' || v === 'www' || v === 'non-www'

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
  const defRedirection: Redirection = isRedirection(data.defaults?.redirection)
    ? data.defaults.redirection
    : 'non-www'
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

    // Each entry's node is one step from the list's, found once per app (not walked from the root per name).
    const domainsNode = nodeAt(doc, domainsPath)
    asArray(raw.domains).forEach((entry: unknown, di: number) => {
      if (
        typeof entry !== 'string' &&
        !(entry && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string')
      )
        return
      const entryNode = childOf(domainsNode, di) as Node | undefined
      const nameNode =
        typeof entry === 'string' ? entryNode : (childOf(entryNode, 'name') as Node | undefined)
      const pos = c.at(nameNode?.range?.[0] ?? entryNode?.range?.[0])
      const obj = entry as { name: string; www?: unknown; redirection?: unknown }
      const name = typeof entry === 'string' ? entry : obj.name
      const n = normaliseDomain(name)
      if ('error' in n) {
        c.add(pos, `'${clip(name.trim(), 100)}' ${n.error}${n.hint ? `: ${n.hint}` : ''}`)
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
        redirection: isRedirection(obj.redirection) ? obj.redirection : defRedirection,
        pos
      }
      if (n.unicode) d.unicode = n.unicode
      app.domains.push(d)
    })

    // www.<name> listed where <name> already serves www (the names' map only where a www. name is).
    const byName = app.domains.some(d => d.name.startsWith('www.'))
      ? new Map(app.domains.map(d => [d.name, d]))
      : new Map<string, DomainEntry>()
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
