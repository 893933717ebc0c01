/** A series thinned for display: x sorted ascending, y may hold NaN for a missing value. */
export interface IThinned {
  x: number[];
  y: number[];
}

/**
 * Thin a sorted series to at most ~2 points per bucket: for every x bucket (one per pixel column),
 * its lowest and highest y, in the order they occur, so spikes and dips survive and the line keeps its
 * shape. The first and last points are always kept. Points outside [xMin, xMax] are dropped, except the
 * nearest one on each side, so the line still runs to the edges of a zoomed view. Costs O(n) over the
 * points in range and allocates only the output.
 */
export function minMaxDownsample(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  buckets: number,
  xMin = -Infinity,
  xMax = Infinity
): IThinned {
  let lo = lowerBound(x, n, xMin);
  let hi = lowerBound(x, n, xMax);
  // Keep one point beyond each edge of the visible range.
  lo = Math.max(0, lo - 1);
  hi = Math.min(n, hi + 1);
  const count = hi - lo;
  const out: IThinned = { x: [], y: [] };
  if (count <= 0) {
    return out;
  }
  if (count <= buckets * 2 || buckets < 1) {
    for (let i = lo; i < hi; i++) {
      out.x.push(x[i]);
      out.y.push(y[i]);
    }
    return out;
  }
  const x0 = x[lo];
  const width = (x[hi - 1] - x0) / buckets || 1;
  let i = lo;
  while (i < hi) {
    const bucket = Math.floor((x[i] - x0) / width);
    let minI = -1;
    let maxI = -1;
    let j = i;
    for (; j < hi && Math.floor((x[j] - x0) / width) === bucket; j++) {
      const v = y[j];
      if (Number.isNaN(v)) {
        continue;
      }
      if (minI < 0 || v < y[minI]) {
        minI = j;
      }
      if (maxI < 0 || v > y[maxI]) {
        maxI = j;
      }
    }
    if (j === i) {
      j = i + 1; // a bucket boundary rounding quirk: always move on
    }
    const first = i === lo;
    const last = j === hi;
    const keep = new Set<number>();
    if (first) {
      keep.add(lo);
    }
    if (minI >= 0) {
      keep.add(minI);
      keep.add(maxI);
    }
    if (last) {
      keep.add(hi - 1);
    }
    for (const k of [...keep].sort((a, b) => a - b)) {
      out.x.push(x[k]);
      out.y.push(y[k]);
    }
    i = j;
  }
  return out;
}

/** The first index whose x is >= value, in a sorted array of n entries. */
export function lowerBound(
  x: ArrayLike<number>,
  n: number,
  value: number
): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] < value) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/**
 * Min/max thinning kept up to date as a series grows, for live runs: buckets have a fixed width in x,
 * so finished buckets never change and an update scans only the new points (and any points rewritten
 * since, from `dirtyFrom`). Output is built from at most `buckets` entries, whatever the series' length.
 */
export class IncrementalThinner {
  /**
   * @param dirtyFrom - the lowest index whose x or y changed since the last call (n if none).
   */
  thin(
    x: ArrayLike<number>,
    y: ArrayLike<number>,
    n: number,
    width: number,
    dirtyFrom: number
  ): IThinned {
    if (width !== this._width || dirtyFrom === 0 || n < this._scanned) {
      this._width = width;
      this._min = [];
      this._max = [];
      this._scanned = 0;
    }
    const bucketOf = (i: number) => Math.floor(x[i] / width);
    let from = Math.min(this._scanned, dirtyFrom);
    if (from < this._scanned) {
      // Rewritten points: forget their buckets and the ones after, and scan them again.
      const b0 = from > 0 ? bucketOf(from - 1) : 0;
      while (from > 0 && bucketOf(from - 1) === b0) {
        from--;
      }
      this._min.length = Math.min(this._min.length, b0);
      this._max.length = Math.min(this._max.length, b0);
    }
    for (let i = from; i < n; i++) {
      const v = y[i];
      if (Number.isNaN(v)) {
        continue;
      }
      const b = bucketOf(i);
      const lo = this._min[b];
      if (lo === undefined || v < y[lo]) {
        this._min[b] = i;
      }
      const hi = this._max[b];
      if (hi === undefined || v > y[hi]) {
        this._max[b] = i;
      }
    }
    this._scanned = n;
    const keep: number[] = [];
    for (let b = 0; b < this._min.length; b++) {
      const lo = this._min[b];
      if (lo === undefined) {
        continue;
      }
      const hi = this._max[b];
      keep.push(lo < hi ? lo : hi);
      if (lo !== hi) {
        keep.push(lo < hi ? hi : lo);
      }
    }
    const out: IThinned = { x: [], y: [] };
    if (n > 0 && keep[keep.length - 1] !== n - 1) {
      keep.push(n - 1);
    }
    if (n > 0 && keep[0] !== 0) {
      keep.unshift(0);
    }
    for (const i of keep) {
      if (!Number.isNaN(y[i])) {
        out.x.push(x[i]);
        out.y.push(y[i]);
      }
    }
    return out;
  }

  private _width = 0;
  private _min: number[] = [];
  private _max: number[] = [];
  private _scanned = 0;
}
