import { Writable } from 'node:stream'
import { terminalLogger } from '../../src/cli/terminal.js'
import { BufferLogger } from '../../src/logger.js'
import { createProgress, progressLine } from '../../src/report/progress.js'

const done = { status: 'done', text: 'done' } as const

function sink(): { stream: Writable; text: () => string } {
  let text = ''
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString()
      cb()
    }
  })
  return { stream, text: () => text }
}

describe('progress events', () => {
  it('numbers operations across the whole run; the log line is [n/N] action name … outcome', () => {
    const p = createProgress(3)
    const events = [
      p.step({ action: 'add', domain: 'example.com' }, done),
      p.step(
        { action: 'remove', domain: 'xn--bcher-kva.example', unicode: 'bücher.example' },
        { status: 'noop', text: 'already gone' }
      ),
      p.step({ action: 'update', domain: 'u.example.com' }, { status: 'failed', text: 'failed: HTTP 500' })
    ]
    expect(events.map(e => [e.n, e.total, e.outcome.status])).toEqual([
      [1, 3, 'done'],
      [2, 3, 'noop'],
      [3, 3, 'failed']
    ])
    expect(events.map(progressLine)).toEqual([
      '[1/3] add example.com … done',
      '[2/3] remove xn--bcher-kva.example (bücher.example) … already gone',
      '[3/3] update u.example.com … failed: HTTP 500'
    ])
    expect(p.done).toBe(3)
    expect(p.total).toBe(3)
  })

  it('an outcome with a line break or an escape stays on its line', () => {
    const line = progressLine(
      createProgress(1).step(
        { action: 'add', domain: 'a.com' },
        { status: 'failed', text: 'failed: x\n::error::forged\u001b[2K' }
      )
    )
    expect(line.split('\n')).toHaveLength(1)
    // eslint-disable-next-line no-control-regex
    expect(line).not.toMatch(/\u001b/)
  })

  it('a buffered app replays its events as events, not as text', () => {
    const buffer = new BufferLogger()
    const event = createProgress(2).step({ action: 'add', domain: 'a.com' }, done)
    buffer.progress(event)
    buffer.info('[9/9] add forged.com … done')
    const seen: unknown[] = []
    const to = new BufferLogger()
    to.progress = e => void seen.push(e)
    buffer.replay(to)
    expect(seen).toEqual([event])
    expect(to.lines.map(l => l.message)).toEqual(['[9/9] add forged.com … done'])
  })

  it('the terminal draws a bar from events on a tty, and never from text that looks like progress', () => {
    const out = sink()
    const err = sink()
    const log = terminalLogger({ tty: true, out: out.stream, err: err.stream })
    log.info('[1/2] add forged.com … done')
    expect(err.text()).toBe('')
    expect(out.text()).toBe('[1/2] add forged.com … done\n')
    log.progress(createProgress(2).step({ action: 'add', domain: 'a.com' }, done))
    expect(err.text()).toMatch(/\[#{15}\.{15}\] 1\/2 add a\.com … done/)
  })

  it('off a terminal each event is a plain line', () => {
    const out = sink()
    const log = terminalLogger({ tty: false, out: out.stream, err: out.stream })
    log.progress(createProgress(1).step({ action: 'remove', domain: 'b.com' }, done))
    expect(out.text()).toBe('[1/1] remove b.com … done\n')
  })
})
