import { z } from 'zod'

/**
 * The one definition of domains.yml. The parser validates with it, and domains.schema.json
 * (for editors) is generated from it by scripts/generate-schema.ts; a test keeps them in step.
 */
export const redirectionSchema = z
  .enum(['none', 'www', 'non-www'])
  .describe('none | www | non-www (default non-www)')

const wwwSchema = z.boolean().describe('also serve www.<name> (default true)')

export const domainObjectSchema = z
  .strictObject({
    name: z.string().describe('the domain name'),
    www: wwwSchema.optional(),
    redirection: redirectionSchema.optional()
  })
  .describe('a domain with its own settings')

export const domainEntrySchema = z.union([z.string().describe('a domain name'), domainObjectSchema])

const targetSchema = z.union([
  z.number().int().positive().describe('id'),
  z
    .string()
    // Not empty or blank, and not '0' (a string of digits is read as an id).
    .regex(/^(?!\s*0*\s*$)/)
    .describe('name, resolved through the API')
])

export const appSchema = z.strictObject({
  server: targetSchema.describe('server id (integer) or server name (string)'),
  app: targetSchema.describe('web app id (integer) or web app name (string)'),
  label: z.string().optional().describe('shown in reports'),
  ssl: z.enum(['redeploy', 'none']).optional().describe('redeploy (default) | none'),
  exclusive: z
    .boolean()
    .optional()
    .describe('true: live domains not listed here are drift, and reconcile removes them'),
  ignore: z
    .array(z.string().min(1))
    .optional()
    .describe('globs of live domains this action never touches or reports'),
  domains: z.array(domainEntrySchema)
})

export const defaultsSchema = z.strictObject({
  www: wwwSchema.optional(),
  redirection: redirectionSchema.optional()
})

export const fullFormSchema = z
  .strictObject({
    version: z.literal(1).optional(),
    defaults: defaultsSchema.optional().describe('applies to every domain entry'),
    apps: z.array(appSchema)
  })
  .describe('full form: any number of apps on any servers')

export const shortFormSchema = z
  .strictObject({
    version: z.literal(1).optional(),
    defaults: defaultsSchema.optional().describe('applies to every domain entry'),
    domains: z.array(domainEntrySchema)
  })
  .describe('short form: one web app, whose ids come from the inputs server-id and app-id')

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
