import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { execute } from '../engine.js'
import { git } from '../git/git.js'
import { formatAnnotation } from '../manifest/annotations.js'
import { planWarnings } from '../plan/model.js'
import { planTextLines } from '../report/markdown.js'
import { computeOutputs } from '../report/outputs.js'
import { clientFor } from '../runcloud/client-factory.js'
import { readSettings, SettingsError, type Settings } from '../settings.js'
import { exportManifest, type ExportTarget } from './export.js'
import { colourPlanText, terminalLogger } from './terminal.js'
import { shown, shownData, shownOutput } from '../text/shown.js'
import { CLI_WORDS } from './words.js'

export interface CliIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  env: NodeJS.ProcessEnv
  cwd: string
  tty: boolean
}

const COMMON = `  --manifest <path>            manifest path (default domains.yml)
  -C, --dir <path>             the repository's working tree (default: current directory)
  --api-url <url>              RunCloud API base URL (default https://manage.runcloud.io/api/v3)
  --server-id <id>, --app-id <id>   target of a short-form manifest
  --concurrency <n>            RunCloud requests in flight (default 4)
  --json                       print the plan as JSON (the action's plan output) instead of text
  -v, --verbose                more detail
  -h, --help                   this help

Credentials come from the environment: RUNCLOUD_API_TOKEN (API v3), or the legacy pair
RUNCLOUD_API_KEY and RUNCLOUD_API_SECRET (API v2, discontinued for most accounts).`

const HELP: Record<string, string> = {
  main: `runcloud-domains — keep RunCloud web app domains in step with domains.yml

Usage: runcloud-domains <command> [options]

Commands:
  plan     show what would change between the base commit and the working tree (no writes)
  apply    make that change on RunCloud
  drift    compare every app in the manifest with RunCloud
  export   write a manifest from RunCloud's live state

Run 'runcloud-domains <command> --help' for a command's options. Exit codes: 0 success,
1 failure (invalid manifest, unsafe plan, failed operation, drift), 2 bad usage.`,
  plan: `Usage: runcloud-domains plan [options]

Shows the change from the manifest at the base commit to the one in the working tree, against
RunCloud's live state when credentials are set (offline otherwise). Writes nothing.

Options:
  --base <git ref>             base commit (default HEAD~1, the parent of HEAD)
  --max-removal-percent <n>    share of an app's live domains a plan may remove (default 30)
  --no-dns-check               do not look up where the names to be added point
${COMMON}`,
  apply: `Usage: runcloud-domains apply [options]

Applies the change from the base commit's manifest to the working tree's: additions, setting
updates, removals, then one SSL redeploy per app.

Options:
  --base <git ref>             base commit (default HEAD~1, the parent of HEAD)
  --max-removal-percent <n>    share of an app's live domains a plan may remove (default 30)
  --force                      apply an unsafe plan anyway
  --ssl-redeploy <when>        auto (default), always or never
  --no-dns-check               do not look up where the names to be added point
${COMMON}`,
  drift: `Usage: runcloud-domains drift [options]

Compares every app in the manifest with RunCloud: missing domains, settings that differ,
unmanaged domains (drift only in exclusive apps). Exits 1 on drift.

Options:
  --reconcile                  fix the drift found
  --no-fail-on-drift           report drift but exit 0
  --max-removal-percent <n>    safety limit for reconcile's removals (default 30)
  --force                      reconcile an unsafe plan anyway
  --ssl-redeploy <when>        auto (default), always or never
${COMMON}`,
  export: `Usage: runcloud-domains export (--server <id|name> --app <id|name>)... | --all [options]

Writes a manifest of the apps' live domains (primary domains left out). Planning it against
the same live state shows no change.

Options:
  --server <id|name>           a server (repeat together with --app)
  --app <id|name>              a web app on the server given before it
  --all                        every web app of every server
  -o, --output <file>          write to a file instead of standard output
  --api-url <url>              RunCloud API base URL (default https://manage.runcloud.io/api/v3)
  -h, --help                   this help

Credentials come from the environment: RUNCLOUD_API_TOKEN (API v3), or the legacy pair
RUNCLOUD_API_KEY and RUNCLOUD_API_SECRET (API v2, discontinued for most accounts).`
}

class UsageError extends Error {}

/**
 * plan and apply read the manifest at a base commit. Outside a repository, or with a --base that
 * names no commit, say that plainly (the engine's own message is about workflow checkouts).
 */
async function checkBase(workspace: string, base: string | undefined): Promise<string | undefined> {
  const inside = await git(workspace, ['rev-parse', '--is-inside-work-tree'])
  if (!inside.ok || inside.stdout.trim() !== 'true')
    return (
      `${workspace} is not inside a git repository. plan and apply compare the manifest with its ` +
      'version at a base commit (--base, default HEAD~1): run them in the repository, or point at it with -C <dir>.'
    )
  if (base === undefined) return undefined
  const commit = await git(workspace, ['rev-parse', '--verify', '--quiet', `${base}^{commit}`])
  if (!commit.ok)
    return (
      `--base ${base} is not a commit in this repository. Give a commit or a ref that exists here ` +
      '(git fetch first for a remote branch), e.g. --base origin/main.'
    )
  return undefined
}

const idOrName = (s: string): number | string => (/^\d+$/.test(s) ? Number(s) : s)

type OptionTable = NonNullable<ParseArgsConfig['options']>

const SHARED: OptionTable = {
  manifest: { type: 'string' },
  dir: { type: 'string', short: 'C' },
  'api-url': { type: 'string' },
  'server-id': { type: 'string' },
  'app-id': { type: 'string' },
  concurrency: { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' }
}

/**
 * Each command's own options, as its --help lists them: an option of another command
 * (`plan --reconcile`, `export --force`) is refused by parseArgs, naming it.
 */
const OPTIONS: Record<string, OptionTable> = {
  plan: {
    ...SHARED,
    base: { type: 'string' },
    'max-removal-percent': { type: 'string' },
    'no-dns-check': { type: 'boolean' }
  },
  apply: {
    ...SHARED,
    base: { type: 'string' },
    'max-removal-percent': { type: 'string' },
    force: { type: 'boolean' },
    'ssl-redeploy': { type: 'string' },
    'no-dns-check': { type: 'boolean' }
  },
  drift: {
    ...SHARED,
    reconcile: { type: 'boolean' },
    'no-fail-on-drift': { type: 'boolean' },
    'max-removal-percent': { type: 'string' },
    force: { type: 'boolean' },
    'ssl-redeploy': { type: 'string' }
  },
  export: {
    server: { type: 'string', multiple: true },
    app: { type: 'string', multiple: true },
    all: { type: 'boolean' },
    output: { type: 'string', short: 'o' },
    'api-url': { type: 'string' },
    help: { type: 'boolean', short: 'h' }
  }
}

/** parseArgs' values, typed by what the tables above declare. */
interface Values {
  manifest?: string
  dir?: string
  base?: string
  'api-url'?: string
  'server-id'?: string
  'app-id'?: string
  concurrency?: string
  'max-removal-percent'?: string
  force?: boolean
  reconcile?: boolean
  'no-fail-on-drift'?: boolean
  'ssl-redeploy'?: string
  'no-dns-check'?: boolean
  json?: boolean
  verbose?: boolean
  help?: boolean
  server?: string[]
  app?: string[]
  all?: boolean
  output?: string
}

export async function cliMain(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv
  const say = (s: string): void => void io.stdout.write(`${s}\n`)
  // Messages reach the terminal through `shown`: credentials scrubbed, control characters removed.
  const complain = (s: string): void => void io.stderr.write(`${shown(s)}\n`)
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    say(HELP.main as string)
    return command ? 0 : 2
  }
  if (!(command in OPTIONS)) {
    complain(`Unknown command '${command}'.\n\n${HELP.main}`)
    return 2
  }
  try {
    const values = parseArgs({ args: rest, allowPositionals: false, options: OPTIONS[command] })
      .values as Values
    if (values.help) {
      say(HELP[command] as string)
      return 0
    }
    const inputs: Record<string, string | undefined> = {
      mode: command === 'export' ? 'plan' : command,
      manifest: values.manifest,
      'api-token': io.env.RUNCLOUD_API_TOKEN,
      'api-key': io.env.RUNCLOUD_API_KEY,
      'api-secret': io.env.RUNCLOUD_API_SECRET,
      'api-url': values['api-url'],
      'server-id': values['server-id'],
      'app-id': values['app-id'],
      'base-ref': values.base,
      concurrency: values.concurrency,
      'max-removal-percent': values['max-removal-percent'],
      force: values.force ? 'true' : undefined,
      reconcile: values.reconcile ? 'true' : undefined,
      'fail-on-drift': values['no-fail-on-drift'] ? 'false' : undefined,
      'ssl-redeploy': values['ssl-redeploy'],
      'dns-check': values['no-dns-check'] ? 'false' : undefined
    }
    const settings: Settings = readSettings(name => inputs[name] ?? '', undefined, CLI_WORDS)
    const workspace = resolve(io.cwd, values.dir ?? '.')
    const terminal = terminalLogger({ tty: io.tty, verbose: values.verbose, out: io.stderr, err: io.stderr })
    // The terminal adds its own colours after `shown` has cleaned the text it is given.
    const log: typeof terminal = {
      ...terminal,
      progress: e => terminal.progress(shownData(e)),
      info: m => terminal.info(shown(m)),
      warning: m => terminal.warning(shown(m)),
      error: m => terminal.error(shown(m)),
      debug: m => terminal.debug(shown(m)),
      group: (name, fn) => terminal.group(shown(name), fn)
    }
    const client = () =>
      clientFor(settings, io.env, { info: m => log.debug(m), warning: m => log.warning(m) }, CLI_WORDS)

    if (command === 'export') {
      if (!settings.apiToken && !settings.apiKey)
        throw new UsageError('export needs RUNCLOUD_API_TOKEN (or RUNCLOUD_API_KEY and RUNCLOUD_API_SECRET).')
      const servers = values.server ?? []
      const apps = values.app ?? []
      if (!values.all && (servers.length === 0 || servers.length !== apps.length)) {
        throw new UsageError(
          'export takes --all, or --server and --app in pairs (e.g. --server 11667 --app 940288).'
        )
      }
      const targets: ExportTarget[] | 'all' = values.all
        ? 'all'
        : servers.map((s, i) => ({ server: idOrName(s), app: idOrName(apps[i] as string) }))
      const text = await exportManifest(client(), targets)
      if (values.output) {
        writeFileSync(resolve(io.cwd, values.output), text)
        complain(`Wrote ${values.output}.`)
      } else io.stdout.write(text)
      return 0
    }

    if (command === 'plan' || command === 'apply') {
      const problem = await checkBase(workspace, settings.baseRef)
      if (problem) throw new UsageError(problem)
    }
    const result = await execute({
      settings,
      workspace,
      event: { eventName: 'cli', payload: {}, sha: undefined },
      createApi: client,
      log,
      words: CLI_WORDS,
      env: io.env
    })
    log.finish()
    for (const p of result.problems)
      complain(
        io.tty
          ? formatAnnotation(p).replace(/^::error /, 'error ')
          : `${p.file}:${p.line}:${p.col}: ${p.message}`
      )
    if (result.plan) {
      for (const w of planWarnings(result.plan)) log.warning(w)
      if (values.json) {
        say(
          shownOutput(
            computeOutputs(result.plan, result.outcome, {
              drift: settings.mode === 'drift' ? (result.drift ?? false) : undefined
            }).plan ?? '{}'
          )
        )
      } else {
        const lines = planTextLines(result.plan, result.outcome).map(l =>
          l.map(p => ({ ...p, text: shown(p.text) }))
        )
        say(io.tty ? colourPlanText(lines) : lines.map(l => l.map(p => p.text).join('')).join('\n'))
      }
    }
    if (result.error) log.error(result.error)
    if (values.verbose) complain(`RunCloud API calls: ${result.calls}`)
    return result.exitCode
  } catch (e) {
    if (e instanceof SettingsError) {
      complain(e.problems.join('\n'))
      return 2
    }
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      complain(`${(e as Error).message}\n\nRun 'runcloud-domains ${command} --help'.`)
      return 2
    }
    complain(`error: ${(e as Error).message}`)
    return 1
  }
}
