import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { chartSvg, compact, escapeXml, niceTicks } from '../lib/chart.ts'

describe('niceTicks', () => {
  const cases: [number, number[]][] = [
    [0, [0, 1]],
    [-5, [0, 1]],
    [Number.NaN, [0, 1]],
    [1, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [7, [0, 2, 4, 6, 8]],
    [95_000, [0, 20_000, 40_000, 60_000, 80_000, 100_000]],
    [1_234_567, [0, 250_000, 500_000, 750_000, 1_000_000, 1_250_000]],
  ]
  for (const [max, ticks] of cases) {
    it(`counts from 0 past ${max} in round steps: ${ticks.join(', ')}`, () => {
      assert.deepEqual(niceTicks(max), ticks)
    })
  }

  it('always ends at or above the maximum', () => {
    for (const max of [0.03, 3, 33, 333, 3333, 12_345, 987_654]) assert.ok(niceTicks(max).at(-1)! >= max)
  })
})

describe('compact', () => {
  it('writes thousands as k and millions as M with three significant digits', () => {
    assert.deepEqual([950, 12_500, 2_000_000, 0.5, 123_456].map(compact), [
      '950',
      '12.5k',
      '2M',
      '0.5',
      '123k',
    ])
  })
})

describe('chartSvg', () => {
  const panels = [
    {
      title: 'throughput',
      yLabel: 'samples/s',
      series: [
        {
          name: 'ingest',
          points: [
            [0, 0],
            [1, 50],
            [2, 100],
          ] as [number, number][],
        },
        { name: 'validator', points: [[2, 25]] as [number, number][] },
      ],
    },
    { title: 'lag <topic & group>', yLabel: 'records', series: [] },
  ]
  const svg = chartSvg(panels, { title: 'run "1"', xLabel: 'seconds', width: 600, panelHeight: 200 })

  it('is one SVG document with one panel per chart and the size asked for', () => {
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="600" height="430"/)
    assert.equal(svg.trimEnd().endsWith('</svg>'), true)
    assert.equal(svg.match(/<g class="panel">/g)?.length, 2)
  })

  it('draws one polyline per series that has points, and a legend entry for each', () => {
    assert.equal(svg.match(/<polyline/g)?.length, 2)
    assert.match(svg, />ingest</)
    assert.match(svg, />validator</)
  })

  it('maps the first point to the origin and the largest value to the top tick', () => {
    // width 600: plot from x=70 to x=400; first panel: y from 194 (bottom) to 64 (top); ticks end at 2 s, 100/s
    const line = /<polyline[^>]*points="([^"]+)"/.exec(svg)![1]!.split(' ')
    assert.deepEqual(line, ['70,194', '235,129', '400,64'])
  })

  it('draws a muted series grey and dashed, without using up a palette colour', () => {
    const two = chartSvg(
      [
        {
          title: 't',
          yLabel: 'y',
          series: [
            { name: 'other', points: [[0, 1]] as [number, number][], muted: true },
            { name: 'mine', points: [[0, 2]] as [number, number][] },
          ],
        },
      ],
      { title: 't', xLabel: 'x' },
    )
    const lines = two.match(/<polyline[^>]*>/g)!
    assert.match(lines[0]!, /stroke="#999" stroke-width="1.6" stroke-dasharray="4 3"/)
    assert.match(lines[1]!, /stroke="#4e79a7"/)
  })

  it('escapes titles and names so the XML stays valid', () => {
    assert.match(svg, /run &#34;1&#34;/)
    assert.match(svg, /lag &#60;topic &#38; group&#62;/)
    assert.equal(escapeXml(`a<b>&'"`), 'a&#60;b&#62;&#38;&#39;&#34;')
  })

  it('still draws axes for a panel without data', () => {
    const empty = chartSvg([{ title: 'nothing', yLabel: 'y', series: [] }], { title: 't', xLabel: 'x' })
    assert.match(empty, />0</)
    assert.equal(empty.match(/<polyline/g), null)
  })
})
