import * as z from 'zod/mini'

/**
 * The one definition of domains.yml. The parser validates with it, and domains.schema.json
 * (for editors) is generated from it by scripts/generate-schema.ts; a test keeps them in step.
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

export function jsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(manifestSchema, { target: 'draft-2020-12' }) as Record<string, unknown>
  const { $schema, ...rest } = generated
  return {
    $schema,
    $id: 'https://github.com/runcloud-domains-action/runcloud-domains-action/blob/main/domains.schema.json',
    title: 'domains.yml — RunCloud Domains Action manifest',
    description:
      'The domain names of RunCloud web applications, kept in step by the RunCloud Domains Action. Generated from src/manifest/schema.ts; do not edit.',
    ...rest
  }
}
