import type { Settings } from '../settings.js'
import type { Words } from '../words.js'
import { createClient } from './client.js'
import type { ClientOptions, RunCloudApi } from './types.js'

/**
 * Advanced client tuning from the environment, for both front doors: a slow proxy, or impatient
 * tests. There is no rate-limit setting: pacing follows RunCloud's answers alone. Invalid values
 * are ignored with a note.
 */
export function clientTuning(
  env: NodeJS.ProcessEnv,
  note: (m: string) => void = () => {}
): Partial<ClientOptions> {
  const out: Partial<ClientOptions> = {}
  const read = (name: string, key: 'timeoutMs' | 'backoffMs' | 'retries', min: number, max: number): void => {
    const raw = env[name]
    if (raw === undefined || raw === '') return
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min || n > max) {
      note(`Ignoring ${name}=${raw}: it must be a whole number from ${min} to ${max}.`)
      return
    }
    out[key] = n
  }
  read('RUNCLOUD_TIMEOUT_MS', 'timeoutMs', 100, 600_000)
  read('RUNCLOUD_RETRY_BACKOFF_MS', 'backoffMs', 1, 60_000)
  read('RUNCLOUD_RETRIES', 'retries', 0, 10)
  return out
}

/** The client both front doors use: credentials and concurrency from the settings, tuning from the environment. */
export function clientFor(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  log: { info(m: string): void; warning(m: string): void },
  words?: Words
): RunCloudApi {
  return createClient({
    words,
    baseUrl: settings.apiUrl,
    token: settings.apiToken,
    apiKey: settings.apiKey,
    apiSecret: settings.apiSecret,
    concurrency: settings.concurrency,
    log: m => log.info(m),
    ...clientTuning(env, m => log.warning(m))
  })
}
