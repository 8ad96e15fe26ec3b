import { createProgress } from '../../src/report/progress.js'

describe('createProgress', () => {
  it('numbers operations across the whole run: [n/N] action name … outcome', () => {
    const p = createProgress(3)
    const lines = [
      p.step({ action: 'add', domain: 'example.com' }, 'done'),
      p.step(
        { action: 'remove', domain: 'xn--bcher-kva.example', unicode: 'bücher.example' },
        'already gone'
      ),
      p.step({ action: 'update', domain: 'u.example.com' }, 'failed: HTTP 500')
    ]
    expect(lines).toEqual([
      '[1/3] add example.com … done',
      '[2/3] remove xn--bcher-kva.example (bücher.example) … already gone',
      '[3/3] update u.example.com … failed: HTTP 500'
    ])
    expect(p.done).toBe(3)
    expect(p.total).toBe(3)
  })

  it('an outcome with a line break or an escape stays on its line', () => {
    const line = createProgress(1).step(
      { action: 'add', domain: 'a.com' },
      'failed: x\n::error::forged\u001b[2K'
    )
    expect(line.split('\n')).toHaveLength(1)
    // eslint-disable-next-line no-control-regex
    expect(line).not.toMatch(/\u001b/)
  })
})
