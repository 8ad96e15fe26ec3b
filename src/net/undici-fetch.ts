/**
 * undici's fetch, without the rest of undici's index (see `undici.ts`): GitHub's client uses it when
 * the run has loaded undici for RunCloud or a proxy, so that one HTTP stack serves both APIs.
 */
import type * as Undici from 'undici'
import fetchModule from 'undici/lib/web/fetch/index.js'

export const fetch: typeof Undici.fetch = fetchModule.fetch
