import type { Words } from '../words.js'
/** Where something stands in the manifest file (1-based line and column). */
export interface SourcePosition {
  line: number
  col: number
}

export type Redirection = 'none' | 'www' | 'non-www'
export type SslPolicy = 'redeploy' | 'none'

/** One domain entry after normalisation. `name` is always the ASCII (punycode) form. */
export interface DomainEntry {
  name: string
  /** The Unicode form, only when it differs from `name` (an internationalised name). */
  unicode?: string
  www: boolean
  redirection: Redirection
  pos: SourcePosition
}

/**
 * One web app of the manifest. `server` and `app` are as written: an integer id or a name that
 * is resolved through the API. The short form yields one app whose ids come from the inputs.
 */
export interface AppEntry {
  server: number | string
  app: number | string
  label?: string
  ssl: SslPolicy
  exclusive: boolean
  ignore: string[]
  domains: DomainEntry[]
  pos: SourcePosition
}

export interface Manifest {
  form: 'short' | 'full' | 'empty'
  apps: AppEntry[]
}

/** A problem in the manifest, reported as a GitHub annotation and a summary row. */
export interface ManifestProblem {
  file: string
  line: number
  col: number
  message: string
}

/** Thrown (only) by the manifest parser; carries every problem of the file, not just the first. */
export class ManifestError extends Error {
  readonly problems: ManifestProblem[]
  constructor(problems: ManifestProblem[]) {
    const first = problems[0]
    super(
      problems.length === 1 && first
        ? `${first.file}:${first.line}:${first.col}: ${first.message}`
        : `${problems.length} problems in the manifest`
    )
    this.name = 'ManifestError'
    this.problems = problems
  }
}

export interface ParseOptions {
  /** Path shown in messages and annotations (relative to the workspace). */
  file: string
  /** Target of a short-form manifest: the inputs `server-id` and `app-id`. */
  serverId?: number
  appId?: number
  /** The front door's words for its settings (default: the action's inputs). */
  words?: Words
}

/** Stable key of an app as written in the manifest: `server/app`. */
export function appKey(app: Pick<AppEntry, 'server' | 'app'>): string {
  return `${app.server}/${app.app}`
}
