/**
 * Every page of a RunCloud list. Once the first page says how many there are
 * (`meta.pagination.total_pages`, `meta.lastPage`, or the item total and page size), the other
 * pages are fetched in parallel within the client's concurrency; without totals, one after another
 * until a short or empty page. Items are checked for the fields the caller needs: a list whose
 * items lack them is an error naming the shape that came back, never read as an empty list.
 */
import { mapLimit } from '../logger.js'
import type { Query, Transport } from './transport.js'

export const PER_PAGE = 40
/** RunCloud's page size when `perPage` is not honoured (docs/runcloud-api.md). */
const DEFAULT_PAGE_SIZE = 20
const MAX_PAGES = 500

/** Reads one item: undefined when it lacks what the caller needs. */
export type ItemReader<T> = (raw: unknown) => T | undefined

function totalsOf(body: unknown): { pages?: number; items?: number; perPage?: number } {
  const meta =
    body && typeof body === 'object' ? (body as { meta?: Record<string, unknown> }).meta : undefined
  const p =
    meta?.pagination && typeof meta.pagination === 'object'
      ? (meta.pagination as Record<string, unknown>)
      : undefined
  const num = (...vs: unknown[]): number | undefined => {
    for (const v of vs) {
      const n = typeof v === 'number' || typeof v === 'string' ? Number(v) : NaN
      if (Number.isInteger(n) && n >= 0) return n
    }
    return undefined
  }
  const pages = num(p?.total_pages, meta?.lastPage, meta?.last_page, p?.lastPage)
  const perPage = num(p?.per_page, meta?.per_page, meta?.perPage)
  return {
    pages: pages !== undefined && pages > 0 ? pages : undefined,
    items: num(p?.total, meta?.total),
    perPage: perPage !== undefined && perPage > 0 ? perPage : undefined
  }
}

/** The keys of an item, for an error that names the shape that came back. */
function shapeOf(raw: unknown): string {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return `a ${raw === null ? 'null' : Array.isArray(raw) ? 'list' : typeof raw}`
  const keys = Object.keys(raw).slice(0, 8)
  const shown = keys.map(k => (k.length > 30 ? `${k.slice(0, 30)}…` : k)).join(', ')
  return keys.length
    ? `an object with ${shown}${Object.keys(raw).length > 8 ? ', …' : ''}`
    : 'an empty object'
}

export async function listAll<T>(
  t: Transport,
  path: string,
  read: ItemReader<T>,
  needs: string,
  query: Query = {}
): Promise<T[]> {
  const page = async (n: number): Promise<{ data: unknown[]; body: unknown; items: T[] }> => {
    const { body } = await t.send('GET', path, { query: { ...query, page: n, perPage: PER_PAGE } })
    const data = body && typeof body === 'object' ? (body as { data?: unknown }).data : undefined
    if (!Array.isArray(data))
      throw t.fail(`RunCloud answered GET ${path} without a "data" list (page ${n}); is api-url right?`)
    const items: T[] = []
    for (const raw of data as unknown[]) {
      const item = read(raw)
      if (item === undefined)
        throw t.fail(
          `RunCloud answered GET ${path} (page ${n}) with list items this action cannot read: it needs ${needs} in each, and got ${shapeOf(raw)}. Is api-url the RunCloud API v3 (or v2)?`
        )
      items.push(item)
    }
    return { data: data as unknown[], body, items }
  }
  const repeated = (a: unknown[], b: unknown[], n: number) => {
    if (a.length > 0 && JSON.stringify(a) === JSON.stringify(b))
      throw t.fail(`RunCloud answered GET ${path} with the same items for page ${n - 1} and ${n}; stopping`)
  }

  const first = await page(1)
  if (first.data.length === 0) return []
  const { pages: given, items: total, perPage } = totalsOf(first.body)
  const pages =
    given ?? (total !== undefined && perPage !== undefined ? Math.ceil(total / perPage) : undefined)
  if (pages !== undefined) {
    if (pages > MAX_PAGES)
      throw t.fail(
        `GET ${path} says it has ${pages} pages; stopping at ${MAX_PAGES} pages of ${PER_PAGE} to spare your API quota. Is something paging wrongly?`
      )
    const rest = await mapLimit(
      Array.from({ length: pages - 1 }, (_, i) => i + 2),
      t.concurrency,
      n => page(n)
    )
    const all = [first, ...rest]
    for (let i = 1; i < all.length; i++)
      repeated((all[i - 1] as typeof first).data, (all[i] as typeof first).data, i + 1)
    return all.flatMap(p => p.items)
  }

  // No totals: one page after another, until a short or empty one.
  const out = [...first.items]
  let previous = first.data
  let last = first.data
  for (let n = 2; n <= MAX_PAGES + 1; n++) {
    // A page of exactly RunCloud's default size may come from a server that ignored `perPage`:
    // one more call settles it, instead of missing every later page.
    const full =
      perPage !== undefined
        ? last.length >= perPage
        : last.length >= PER_PAGE || last.length === DEFAULT_PAGE_SIZE
    if (!full || (total !== undefined && out.length >= total)) return out
    if (n > MAX_PAGES) break
    const next = await page(n)
    if (next.data.length === 0) return out
    repeated(previous, next.data, n)
    out.push(...next.items)
    previous = next.data
    last = next.data
  }
  throw t.fail(
    `GET ${path} still had more after ${MAX_PAGES} pages of ${PER_PAGE}; stopping there to spare your API quota. Is something paging wrongly?`
  )
}
