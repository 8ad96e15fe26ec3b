import * as z from 'zod/mini'

/**
 * The one definition of domains.yml. The parser validates with it, and domains.schema.json
 * (for editors) is generated from it by scripts/generate-schema.ts (which holds the generator, so
 * that the action's bundle does not carry it); a test keeps them in step.
 * Written with zod's functional API (`zod/mini`): the same validator, without the method tables of
 * the chained API, which took a tenth of the start-up of a run (README, Performance).
 */

/** A copy of `schema` that carries `description` (into the JSON Schema), as the chained `.describe()` does. */
function described<T extends z.ZodMiniType>(schema: T, description: string): T {
  const copy = schema.clone()
  z.globalRegistry.add(copy, { description })
  return copy
}

export const redirectionSchema = described(
  z.enum(['none', 'www', 'non-www']),
  'none | www | non-www (default non-www)'
)

const wwwSchema = described(z.boolean(), 'also serve www.<name> (default true)')

export const domainObjectSchema = described(
  z.strictObject({
    name: described(z.string(), 'the domain name'),
    www: z.optional(wwwSchema),
    redirection: z.optional(redirectionSchema)
  }),
  'a domain with its own settings'
)

export const domainEntrySchema = z.union([described(z.string(), 'a domain name'), domainObjectSchema])

const targetSchema = z.union([
  described(z.int().check(z.positive()), 'id'),
  described(
    // Not empty or blank, and not '0' (a string of digits is read as an id).
    z.string().check(z.regex(/^(?!\s*0*\s*$)/)),
    'name, resolved through the API'
  )
])

export const appSchema = z.strictObject({
  server: described(targetSchema, 'server id (integer) or server name (string)'),
  app: described(targetSchema, 'web app id (integer) or web app name (string)'),
  label: described(z.optional(z.string()), 'shown in reports'),
  ssl: described(z.optional(z.enum(['redeploy', 'none'])), 'redeploy (default) | none'),
  exclusive: described(
    z.optional(z.boolean()),
    'true: live domains not listed here are drift, and reconcile removes them'
  ),
  ignore: described(
    z.optional(z.array(z.string().check(z.minLength(1)))),
    'globs of live domains this action never touches or reports'
  ),
  domains: z.array(domainEntrySchema)
})

export const defaultsSchema = z.strictObject({
  www: z.optional(wwwSchema),
  redirection: z.optional(redirectionSchema)
})

export const fullFormSchema = described(
  z.strictObject({
    version: z.optional(z.literal(1)),
    defaults: described(z.optional(defaultsSchema), 'applies to every domain entry'),
    apps: z.array(appSchema)
  }),
  'full form: any number of apps on any servers'
)

export const shortFormSchema = described(
  z.strictObject({
    version: z.optional(z.literal(1)),
    defaults: described(z.optional(defaultsSchema), 'applies to every domain entry'),
    domains: z.array(domainEntrySchema)
  }),
  'short form: one web app, whose ids come from the inputs server-id and app-id'
)

export const manifestSchema = z.union([shortFormSchema, fullFormSchema])

export type FullForm = z.infer<typeof fullFormSchema>
export type ShortForm = z.infer<typeof shortFormSchema>

/** Keys known at each level, for "did you mean". */
export const KNOWN_KEYS = {
  root: ['version', 'defaults', 'apps', 'domains'],
  defaults: ['www', 'redirection'],
  app: ['server', 'app', 'label', 'ssl', 'exclusive', 'ignore', 'domains'],
  domain: ['name', 'www', 'redirection']
} as const

/**
 * The schema's issues with a parsed manifest (`root`, read as the short form or the full form), as
 * zod gives them, but without running zod over the domain entries that are plain strings: those are
 * valid as written (an entry is a name, or a mapping), and in a big manifest they are nearly every
 * node and most of zod's time. They are left out of the value zod checks, and the issues' paths are
 * mapped back to the entries' places in the file. A property test holds this to the full check.
 */
export function schemaIssues(root: Record<string, unknown>, short: boolean): z.core.$ZodIssue[] {
  // reportInput: an issue's input tells a missing key (undefined) from a wrong value. jitless: each
  // schema checks one or two documents a run, too few for zod's generated parsers to repay their making.
  const check = { reportInput: true, jitless: true }
  /** For each list of entries that was thinned (by the list as read): the kept entries' indices. */
  const kept = new Map<unknown, number[]>()
  const thin = (list: unknown): unknown => {
    if (!Array.isArray(list) || !list.some(e => typeof e === 'string')) return list
    const at: number[] = []
    list.forEach((e, i) => typeof e !== 'string' && at.push(i))
    kept.set(list, at)
    return at.map(i => list[i] as unknown)
  }
  const appsOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
  const isMapping = (v: unknown): v is Record<string, unknown> =>
    !!v && typeof v === 'object' && !Array.isArray(v)
  let issues: readonly z.core.$ZodIssue[]
  if (short) {
    issues = shortFormSchema.safeParse({ ...root, domains: thin(root.domains) }, check).error?.issues ?? []
  } else {
    // With both forms (reported by the parser), the rest is checked as the full form.
    const { domains: _both, ...full } = root
    const apps: unknown = Array.isArray(full.apps)
      ? (full.apps as unknown[]).map(a =>
          isMapping(a) && 'domains' in a ? { ...a, domains: thin(a.domains) } : a
        )
      : full.apps
    issues = fullFormSchema.safeParse({ ...full, apps }, check).error?.issues ?? []
  }
  if (!kept.size) return [...issues]
  return issues.map(issue => {
    // Where the path goes through a list of entries: the list as read, and the index's place in the path.
    const p = issue.path
    const [list, at] = short
      ? [p[0] === 'domains' ? root.domains : undefined, 1]
      : [
          p[0] === 'apps' && typeof p[1] === 'number' && p[2] === 'domains'
            ? (appsOf(root.apps)[p[1]] as { domains?: unknown } | undefined)?.domains
            : undefined,
          3
        ]
    const indices = kept.get(list)
    const index = p[at]
    if (!indices || typeof index !== 'number') return issue
    const path = [...p]
    path[at] = indices[index] as number
    return { ...issue, path }
  })
}
