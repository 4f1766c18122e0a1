// Rows of the benchmark's table, in the columns `frontdesk-bench` prints (crates/bench,
// harness.rs): path, its median, p99 and runs; the baseline's name, median, p99 and runs; the
// ratio of the medians; the goal; ok or MISS; notes. Percentiles are nearest ranks.

/** The value at `percent` of `values`: the smallest that at least that share does not exceed. */
export function percentile(values, percent) {
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((sorted.length * percent) / 100))
  return sorted[rank - 1]
}

export const median = (values) => percentile(values, 50)

/** Milliseconds to three significant digits, in the unit that suits them (as harness.rs). */
export function duration(ms) {
  if (ms < 10) return `${ms.toFixed(2)} ms`
  if (ms < 100) return `${ms.toFixed(1)} ms`
  if (ms < 1000) return `${ms.toFixed(0)} ms`
  return `${(ms / 1000).toFixed(2)} s`
}

export const mebibytes = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`

/**
 * One row. `figure` and `baseline` are `{ name?, values }` (the baseline may be left out);
 * `maxRatio` is the largest acceptable ratio of the medians, `limit` a largest acceptable
 * median, `p99Limit` a largest acceptable p99; `format` prints a value.
 */
export function row({ path, figure, baseline, maxRatio, limit, p99Limit, format = duration, notes = '' }) {
  const ratio = baseline ? median(figure.values) / median(baseline.values) : undefined
  const goals = []
  let met = true
  if (maxRatio !== undefined) {
    goals.push(`≤ ${maxRatio.toFixed(1)}×`)
    met &&= ratio <= maxRatio
  }
  if (limit !== undefined) {
    goals.push(`≤ ${format(limit)}`)
    met &&= median(figure.values) <= limit
  }
  if (p99Limit !== undefined) {
    goals.push(`p99 ≤ ${format(p99Limit)}`)
    met &&= percentile(figure.values, 99) <= p99Limit
  }
  const summary = (values) => [format(median(values)), format(percentile(values, 99)), values.length]
  const cells = [
    path,
    ...summary(figure.values),
    ...(baseline ? [baseline.name, ...summary(baseline.values)] : ['—', '—', '—', '—']),
    ratio === undefined ? '—' : `${ratio.toFixed(2)}×`,
    goals.length > 0 ? goals.join(', ') : '—',
    goals.length > 0 ? (met ? 'ok' : 'MISS') : '—',
    notes,
  ]
  return `| ${cells.join(' | ')} |`
}
